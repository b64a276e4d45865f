#!/bin/sh
# SPDX-License-Identifier: MIT
# Outputs (report, fold, export, svg, diff --report, record) damage nothing
# but the file named, even as root: -o on a character device or a FIFO
# writes to it, a symlink keeps the link and replaces its target, a
# directory is refused with one line, and a signal during a big write leaves
# no temporary file behind.
. "$(dirname "$0")/lib.sh"

printf 'main;parse;lex 30\nmain;parse 10\nmain;render;draw 25\n' >"$T/p.folded"

# A private node of /dev/null (character device 1,3) when root can make one:
# a scorch that still replaced it would not break the machine's /dev/null.
null=/dev/null
if mknod "$T/null" c 1 3 2>/dev/null; then
	null=$T/null
fi

# out_cmd NAME OUT: run subcommand NAME writing its output to OUT.
out_cmd() {
	case $1 in
	report) "$SCORCH" report "$T/p.folded" -o "$2" ;;
	fold) "$SCORCH" fold "$T/p.folded" -o "$2" ;;
	export) "$SCORCH" export "$T/p.folded" --format speedscope -o "$2" ;;
	svg) "$SCORCH" svg "$T/p.folded" -o "$2" ;;
	diff) "$SCORCH" diff "$T/p.folded" "$T/p.folded" --report "$2" \
		>/dev/null ;;
	record) timeout 60 "$SCORCH" record -F 499 -o "$2" -- \
		"$EXAMPLES/cpuburn" 0.3 ;;
	esac
}

# The output of each command has its own name ending.
ext() {
	case $1 in
	report) echo txt ;;
	diff) echo md ;;
	fold) echo folded ;;
	export) echo speedscope.json ;;
	svg | record) echo svg ;;
	esac
}

# What each command's output starts with.
magic() {
	case $1 in
	report) echo 'scorch report' ;;
	diff) echo 'scorch diff' ;;
	fold) echo 'main;' ;;
	export) echo 'speedscope' ;;
	svg) echo '<svg' ;;
	record) echo '<svg\|"samples"' ;; # a stream without .svg gets JSON
	esac
}

for c in report fold export svg diff record; do
	if [ $c = record ] && ! can_perf; then
		skip "record -o on special files" "no permission for perf events"
		continue
	fi
	e=$(ext $c)
	d="$T/$c"
	mkdir "$d"

	out_cmd $c "$null" 2>"$d/err"
	check "$c -o $null succeeds (exit $?)" test $? -eq 0
	check "$c -o $null leaves it a character device" test -c "$null"
	check "$c -o $null leaves no temporary beside it" \
		sh -c "! ls -a '$(dirname "$null")' | grep -q '^\.null\.tmp'"

	# /dev/stdout names the descriptor already open: a pipe, or a file
	# the shell opened (which must stay the same file, and get the data).
	# OUTPUTS_NO_DEVSTDOUT=1 leaves this out, to try a broken scorch.
	# (diff prints its own summary on stdout, so not diff.)
	if [ -z "$OUTPUTS_NO_DEVSTDOUT" ] && [ $c != diff ]; then
		out_cmd $c /dev/stdout 2>"$d/err" | cat >"$d/piped"
		check "$c -o /dev/stdout into a pipe writes the output" \
			grep -q "$(magic $c)" "$d/piped"
		: >"$d/stdout.file"
		ino=$(stat -c %i "$d/stdout.file")
		out_cmd $c /dev/stdout >"$d/stdout.file" 2>"$d/err"
		check "$c -o /dev/stdout into a file writes to that file" \
			sh -c "[ \$(stat -c %i '$d/stdout.file') = $ino ] &&
				grep -q '$(magic $c)' '$d/stdout.file'"
		check "$c -o /dev/stdout leaves it a symlink" test -L /dev/stdout
	fi

	mkfifo "$d/fifo.$e"
	# A scorch that replaced the FIFO would leave its reader waiting.
	timeout 10 cat "$d/fifo.$e" >"$d/got" &
	reader=$!
	out_cmd $c "$d/fifo.$e" 2>"$d/err"
	rc=$?
	wait $reader
	check "$c -o FIFO succeeds (exit $rc)" test $rc -eq 0
	check "$c -o FIFO: the FIFO is still a FIFO" test -p "$d/fifo.$e"
	check "$c -o FIFO: its reader gets the output" \
		grep -q "$(magic $c)" "$d/got"

	echo old >"$d/target.$e"
	ln -s "target.$e" "$d/link.$e"
	out_cmd $c "$d/link.$e" 2>"$d/err"
	check "$c -o symlink succeeds (exit $?)" test $? -eq 0
	check "$c -o symlink keeps the link" test -L "$d/link.$e"
	check "$c -o symlink replaces its target" \
		grep -q "$(magic $c)" "$d/target.$e"
	check "$c -o symlink leaves no temporary" \
		sh -c "! ls -a '$d' | grep -q '\.tmp\.'"

	mkdir "$d/dir.$e"
	out_cmd $c "$d/dir.$e" 2>"$d/err"
	rc=$?
	check "$c -o directory exits 2 (exit $rc)" test $rc -eq 2
	check "$c -o directory says so in one line naming it" \
		sh -c "[ \$(wc -l <'$d/err') -eq 1 ] &&
			grep -q 'dir.$e: is a directory' '$d/err'"
	check "$c -o directory leaves it empty" \
		sh -c "[ -z \"\$(ls -A '$d/dir.$e')\" ]"
done

# A flame graph of tens of megabytes takes a while to write: a signal during
# the write must remove the temporary file. Ignored signals stay ignored in a
# background job, so each is sent to a process that set it to default.
awk 'BEGIN { for (i = 0; i < 80; i++) { s = "main"
	for (d = 0; d < 6000; d++) s = s ";fn_" i "_" d; print s, 1 } }' \
	>"$T/big.folded"
for sig in TERM INT HUP; do
	d="$T/sig$sig"
	mkdir "$d"
	perl -e '$SIG{$_} = "DEFAULT" for qw(INT TERM HUP); exec @ARGV' \
		"$SCORCH" svg "$T/big.folded" -o "$d/big.svg" 2>"$d/err" &
	pid=$!
	i=0
	# Reading 480,000 frames takes seconds under ASan on a loaded
	# machine: wait up to two minutes for the temporary to fill. (Not
	# merely to appear: before reading, svg checks that it can write
	# the output by opening and removing an empty temporary.)
	while [ -z "$(find "$d" -name '.*.tmp.*' -size +0c 2>/dev/null)" ] &&
		[ $i -lt 2400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	seen=$(ls -a "$d" | grep -c '\.tmp\.')
	kill -$sig $pid
	wait $pid
	rc=$?
	check "svg writes through a temporary file ($seen seen)" test "$seen" -eq 1
	check "SIG$sig during svg ends it by the signal (exit $rc)" \
		test $rc -gt 128
	check "SIG$sig during svg leaves no temporary file" \
		sh -c "! ls -a '$d' | grep -q '\.tmp\.'"
	check "SIG$sig during svg leaves no half-written output" \
		test ! -e "$d/big.svg"
done
tap_done
