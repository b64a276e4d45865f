#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/loadtest: the HTTP server answers correctly (SHA-256 digests
# checked against Python's hashlib, JSON escaping, keep-alive, pipelining,
# errors and limits), stops cleanly, and run.sh drives it with wrk, records
# it with scorch and leaves a flame graph, a report and the requests/s with
# and without scorch.
. "$(dirname "$0")/lib.sh"

server=$EXAMPLES/loadtest-server
if ! command -v curl >/dev/null 2>&1 || ! command -v wrk >/dev/null 2>&1; then
	skip "loadtest" "curl or wrk not installed (scripts/deps.sh installs them)"
	tap_done
fi

start_bg "$server" -t 2 0 >"$T/port" 2>"$T/server.err"
spid=$bg_pid
wait_file "$T/port"
port=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$T/port")
check "the server prints its port ($port)" test -n "$port"
base=http://127.0.0.1:$port

sha() { # sha ROUNDS FILE: the digest the server should answer
	python3 -c '
import hashlib, sys
d = hashlib.sha256(open(sys.argv[2], "rb").read())
for _ in range(int(sys.argv[1]) - 1):
    d = hashlib.sha256(d.digest())
print(d.hexdigest())' "$1" "$2"
}
field() { # field FILE KEY: a key of a JSON answer
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

printf abc >"$T/abc"
curl -sS "$base/hash/abc" >"$T/a.json"
check "GET /hash/abc: SHA-256 of abc" \
	test "$(field "$T/a.json" sha256)" = "$(sha 1 "$T/abc")"
curl -sS "$base/hash/abc?rounds=1000" >"$T/a.json"
check "GET /hash/abc?rounds=1000: the digest of the digest, 1000 times" \
	test "$(field "$T/a.json" sha256)" = "$(sha 1000 "$T/abc")"
head -c 70000 /dev/urandom | head -c 65536 >"$T/body"
curl -sS -X POST --data-binary "@$T/body" "$base/hash?rounds=3" >"$T/b.json"
check "POST /hash with a 64 KiB body" \
	test "$(field "$T/b.json" sha256)" = "$(sha 3 "$T/body")" -a \
	"$(field "$T/b.json" bytes)" = 65536
curl -sS "$base/hash/%22q%5C%0A%ff%3Cb%3E" >"$T/k.json"
check "a key with quotes, a backslash, a newline and a non-ASCII byte is escaped JSON" \
	python3 -c '
import json, sys
k = json.load(open(sys.argv[1]))["key"]
sys.exit(k != "\"q\\\n\u00ff<b>")' "$T/k.json"
check "GET /health" test "$(curl -sS "$base/health")" = '{"status":"ok"}'

status() { # status CURL-ARGS...: the HTTP status of one request
	curl -s -o /dev/null -w '%{http_code}' "$@"
}
check "an unknown path: 404" test "$(status "$base/nope")" = 404
check "POST /hash/KEY: 405" test "$(status -X POST -d x "$base/hash/k")" = 405
check "GET /hash: 405" test "$(status "$base/hash")" = 405
check "?rounds=0: 400" test "$(status "$base/hash/k?rounds=0")" = 400
check "?rounds=100001: 400" test "$(status "$base/hash/k?rounds=100001")" = 400
check "a bad percent escape: 400" test "$(status "$base/hash/%zz")" = 400
head -c 65537 /dev/zero >"$T/big"
check "a body over 64 KiB: 413" \
	test "$(status -X POST --data-binary "@$T/big" "$base/hash")" = 413

# Raw HTTP: pipelining, HTTP/1.0, and requests curl would not send.
cat >"$T/raw.py" <<'EOF'
import socket, sys

def exchange(data, port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            return out
        out += b

port = int(sys.argv[1])
case = sys.argv[2]
if case == "pipeline":
    # Three requests in one packet: three answers, in order; the last
    # (HTTP/1.0) closes the connection.
    r = exchange(b"GET /hash/a HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"POST /hash HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc"
                 b"GET /health HTTP/1.0\r\n\r\n", port)
    parts = r.split(b"HTTP/1.1 ")
    ok = (len(parts) == 4 and all(p.startswith(b"200 OK") for p in parts[1:])
          and b'"key":"a"' in parts[1] and b'"bytes":3' in parts[2]
          and parts[3].endswith(b'{"status":"ok"}')
          and b"Connection: close" in parts[3])
elif case == "bad":
    # A malformed request: 400, closed; what follows is not answered.
    r = exchange(b"GARBAGE\r\n\r\nGET /health HTTP/1.1\r\n\r\n", port)
    ok = r.startswith(b"HTTP/1.1 400 ") and r.count(b"HTTP/1.1") == 1
elif case == "head":
    r = exchange(b"GET /health HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", port)
    ok = r.startswith(b"HTTP/1.1 400 ") and b"8 KiB" in r
elif case == "chunked":
    r = exchange(b"POST /hash HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", port)
    ok = r.startswith(b"HTTP/1.1 501 ")
elif case == "version":
    r = exchange(b"GET /health HTTP/2.0\r\n\r\n", port)
    ok = r.startswith(b"HTTP/1.1 400 ")
sys.exit(0 if ok else 1)
EOF
check "three pipelined requests, the last HTTP/1.0: three answers in order" \
	python3 "$T/raw.py" "$port" pipeline
check "a malformed request: 400 and the connection closes" python3 "$T/raw.py" "$port" bad
check "a request head over 8 KiB: 400" python3 "$T/raw.py" "$port" head
check "Transfer-Encoding: 501" python3 "$T/raw.py" "$port" chunked
check "HTTP/2.0 on the request line: 400" python3 "$T/raw.py" "$port" version

kill -TERM "$spid"
wait "$spid"
rc=$?
check "SIGTERM: exit 0 ($rc) with the request count" \
	sh -c "test $rc -eq 0 && grep -Eq '^loadtest-server: [0-9]+ requests$' '$T/server.err'"

# run.sh: a short run with prebuilt binaries.
if can_perf; then
	SCORCH=$SCORCH LOADTEST_SERVER=$server timeout 120 \
		sh "$(dirname "$0")/../../examples/loadtest/run.sh" -d 1 -F 299 \
		-o "$T/lt" >"$T/run.out" 2>"$T/run.err"
	rc=$?
	check "run.sh -d 1: exit 0 ($rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/#   /' "$T/run.err"
	check "run.sh: the flame graph is well-formed SVG" \
		xmllint --noout "$T/lt/loadtest.svg"
	check "run.sh: the flame graph shows sha256_block" \
		grep -q 'sha256_block' "$T/lt/loadtest.svg"
	check "run.sh: a report and a markdown report" \
		test -s "$T/lt/report.txt" -a -s "$T/lt/report.md"
	# The hash is the server's hot spot: ~30% of all samples (total),
	# measured 29.6%; 10% leaves five standard errors at 300 samples.
	t=$("$SCORCH" report "$T/lt/loadtest.json" --top 0 --format json |
		python3 -c '
import json, sys
rows = json.load(sys.stdin)["tables"][1]["rows"]
print(sum(r["total_pct"] for r in rows if r["function"] == "sha256_block"))')
	check "run.sh: sha256_block in at least 10% of the samples ($t%)" \
		awk -v t="$t" 'BEGIN { exit !(t >= 10) }'
	check "run.sh: requests/s without scorch" \
		grep -Eq '^  without scorch +[1-9][0-9.]* +[0-9.]+ms +[0-9.]+ms +[1-9][0-9.]*$' "$T/run.out"
	check "run.sh: requests/s with scorch attached" \
		grep -Eq '^  scorch record -p, 299 Hz +[1-9][0-9.]* +[0-9.]+ms +[0-9.]+ms +[1-9][0-9.]*$' "$T/run.out"
	check "run.sh: the change between them" grep -Eq '^  change +[-+][0-9]+\.[0-9]% +[-+][0-9]+\.[0-9]%$' "$T/run.out"
	lpid=$(sed -n 's/^loadtest: server pid \([0-9]*\) .*/\1/p' "$T/run.err")
	check "run.sh: stopped its server (pid $lpid)" \
		sh -c "test -n '$lpid' && ! kill -0 '$lpid' 2>/dev/null"
else
	skip "run.sh" "no permission for perf events"
fi
SCORCH=$SCORCH LOADTEST_SERVER=$server sh "$(dirname "$0")/../../examples/loadtest/run.sh" \
	-d x >"$T/o" 2>"$T/e"
rc=$?
check "run.sh -d x: exit 2 ($rc), one line" \
	test $rc -eq 2 -a "$(cat "$T/e")" = "scorch: loadtest: -d: 'x' is not a whole number"
tap_done
