# SPDX-License-Identifier: MIT
# examples/matrix/check.awk - are a profile's stacks whole and right?
# Reads folded stacks ("comm;outermost;...;leaf COUNT"), with -v root=REGEX
# and -v chain="caller;f1;...;leaf" as in examples/matrix/matrix.list, and
# prints one line:
#
#   LEAF WHOLE WRONG TOTAL
#
# LEAF: samples with the chain's leaf in their stack; WHOLE: those of them
# whose outermost frame matches root and whose leaf sits under the whole
# chain, in order, frame after frame; WRONG: samples where a frame of the
# chain (past its first) has a caller that is neither the chain's previous
# frame nor [unknown] (a cut stack is incomplete, a wrong caller is worse);
# TOTAL: all samples. Up to 3 stacks that are not whole, or have a wrong
# caller, go to stderr, most frequent first.
#
# Frames compare by name without a C++ parameter list, a GCC clone suffix
# (.cold, .part.N, " [clone ...]") or a Rust hash (::h0123...).
function norm(f) {
	sub(/ \[clone [^]]*\]$/, "", f)
	if (f ~ /\)$/)
		sub(/\(.*$/, "", f)
	sub(/::h[0-9a-f]{16}$/, "", f)
	sub(/\.(cold|part\.[0-9]+|constprop\.[0-9]+|isra\.[0-9]+)$/, "", f)
	return f
}
BEGIN {
	k = split(chain, c, ";")
	for (i = 2; i <= k; i++)
		prev[c[i]] = c[i - 1]
}
{
	n = $NF
	s = $0
	sub(/[ \t]+[0-9]+$/, "", s)
	m = split(s, a, ";")
	total += n
	bad = ""
	for (j = 3; j <= m; j++) {
		f = norm(a[j])
		if (f in prev && a[j - 1] != "[unknown]" &&
		    norm(a[j - 1]) != prev[f]) {
			wrong += n
			bad = "wrong caller"
			break
		}
	}
	for (j = m; j >= 2; j--)
		if (norm(a[j]) == c[k])
			break
	if (j >= 2) {
		leaf += n
		ok = j - k + 1 >= 3 && a[2] ~ root
		for (i = 1; ok && i <= k; i++)
			ok = norm(a[j - k + i]) == c[i]
		if (ok)
			whole += n
		else if (bad == "")
			bad = "not whole"
	}
	if (bad != "") {
		shown[bad ": " s] += n
	}
}
END {
	printf "%d %d %d %d\n", leaf, whole, wrong, total
	for (i = 0; i < 3; i++) {
		best = ""
		for (x in shown)
			if (best == "" || shown[x] > shown[best])
				best = x
		if (best == "")
			break
		printf "%d x %s\n", shown[best], substr(best, 1, 400) > "/dev/stderr"
		delete shown[best]
	}
}
