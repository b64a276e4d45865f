#!/bin/sh
# SPDX-License-Identifier: MIT
# PLT entries by name: scorch addr2line names every PLT entry of programs
# linked by GNU ld (lazy, -z now, IBT's .plt.sec) and LLD as objdump -d
# does (memcpy@plt), and a recorded profile of a program that calls memcpy
# through its PLT in a tight loop has a memcpy@plt frame, not [prog+0x...].
. "$(dirname "$0")/lib.sh"

cat >"$T/hammer.c" <<'EOC'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int
main(int argc, char **argv)
{
	static char a[16], b[16];
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct timespec t0, t;
	unsigned long i, s = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < 100000; i++) {
			memcpy(a, b + (i & 3), 1);
			s += (unsigned char)a[0];
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) +
			 (double)(t.tv_nsec - t0.tv_nsec) / 1e9 <
		 secs);
	printf("%lu\n", s);
	return 0;
}
EOC

# plt_names BIN: "ADDR NAME" for each of objdump's NAME@plt entries
plt_names() {
	objdump -d "$1" | sed -n 's/^\([0-9a-f]*\) <\(.*@plt\)>:$/\1 \2/p'
}

builds="gnu:gcc -fcf-protection=none
gnu-now:gcc -fcf-protection=none -Wl,-z,now
gnu-ibt:gcc -fcf-protection -Wl,-z,ibt
lld:clang -fuse-ld=lld
lld-ibt:clang -fuse-ld=lld -fcf-protection -Wl,-z,force-ibt"
echo "$builds" | while IFS=: read -r name cmd; do
	case $cmd in
	clang*) if ! command -v clang >/dev/null || ! command -v ld.lld >/dev/null; then
		skip "addr2line names PLT entries ($name)" "clang/lld not installed"
		continue
	fi ;;
	esac
	# shellcheck disable=SC2086
	$cmd -O1 -fno-builtin -o "$T/$name" "$T/hammer.c" 2>/dev/null
	plt_names "$T/$name" >"$T/$name.want"
	bad=""
	while read -r a want; do
		got=$("$SCORCH" addr2line -f -e "$T/$name" "0x$a" | head -1)
		[ "$got" = "$want" ] || bad="$bad 0x$a:$want/$got"
	done <"$T/$name.want"
	if [ -z "$bad" ] && grep -q ' memcpy@plt$' "$T/$name.want"; then
		ok "addr2line names $(wc -l <"$T/$name.want") PLT entries as objdump does ($name)"
	else
		not_ok "addr2line names PLT entries as objdump does ($name)" \
			"wrong (addr:objdump/scorch):$bad"
	fi
done >"$T/tap"
# The loop ran in a subshell: replay its lines through ok/not_ok.
while read -r line; do
	case $line in
	"not ok "*) not_ok "${line#not ok * - }" ;;
	"ok "*"# SKIP"*) d=${line#ok * - }; skip "${d% \# SKIP*}" "${d#*\# SKIP }" ;;
	"ok "*) ok "${line#ok * - }" ;;
	*) echo "$line" ;;
	esac
done <"$T/tap"

if can_perf; then
	gcc -O1 -fno-builtin -fcf-protection=none -Wl,-z,now -o "$T/hammer" \
		"$T/hammer.c"
	"$SCORCH" record -F 999 -o "$T/h.json" -- "$T/hammer" 1.5 \
		>/dev/null 2>"$T/err"
	"$SCORCH" fold "$T/h.json" >"$T/h.folded" 2>>"$T/err"
	n=$(count "$T/h.folded" '(^|;)memcpy@plt$')
	raw=$(count "$T/h.folded" '\[hammer\+0x')
	if [ "$n" -gt 0 ] && [ "$raw" -eq 0 ]; then
		ok "a recorded profile has memcpy@plt frames ($n samples), no [hammer+0x...] frame"
	else
		not_ok "a recorded profile names the PLT stub memcpy@plt" \
			"memcpy@plt: $n, [hammer+0x...]: $raw" "$(cat "$T/err")" \
			"$(sort -k2 -n -t" " "$T/h.folded" | tail -3 | tr "\n" " ")"
	fi
else
	skip "a recorded profile has memcpy@plt frames" "no perf events"
fi
tap_done
