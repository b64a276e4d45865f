# SPDX-License-Identifier: MIT
# tests/data/values/gen.py OUT WAIT_MS [JITTER]: a native profile of a
# server as `record --off-cpu` writes one, at 10 ms a sample: CPU in parse
# (200 samples) and hash (100), off CPU in read (pipe_read_[k], 500 ms) and,
# with WAIT_MS > 0, in a lock wait (futex_wait_[k] under cache_lookup and
# pthread_mutex_lock). JITTER moves samples and ms between functions, for
# several runs of one side. Used by tests/e2e/values.sh.
import json, sys
out, wait_ms = sys.argv[1], float(sys.argv[2])
jitter = int(sys.argv[3]) if len(sys.argv) > 3 else 0
frames = [("server","process",""),("main","user","server"),("handle_request","user","server"),
  ("parse","user","server"),("hash","user","server"),("read","user","libc.so.6"),
  ("pipe_read","kernel","[kernel]"),("cache_lookup","user","server"),
  ("pthread_mutex_lock","user","libc.so.6"),("futex_wait","kernel","[kernel]")]
F = {n:i for i,(n,_,_) in enumerate(frames)}
def st(names, count=0, off=0):
    d = {"task": 0, "frames": [F[n] for n in names], "count": count}
    if off: d["off_cpu_ns"] = int(off)
    return d
stacks = [st(["server","main","handle_request","parse"], 200 + jitter),
          st(["server","main","handle_request","hash"], 100 - jitter),
          st(["server","main","read","pipe_read"], 0, 500e6 + jitter * 1e6)]
if wait_ms:
    stacks.append(st(["server","main","handle_request","cache_lookup","pthread_mutex_lock","futex_wait"], 0, wait_ms * 1e6))
doc = {"format": "scorch-profile", "version": "1.2",
  "meta": {"tool": "scorch test", "cmdline": "./server", "event": "cpu-clock", "frequency_hz": 100,
           "period_ns": 10000000, "duration_ms": 4000, "samples": 300, "off_cpu": 1},
  "tasks": [{"pid": 10, "tid": 10, "comm": "server", "thread": "server"}],
  "frames": [dict(name=n, kind=k, **({"module": m} if m else {})) for n,k,m in frames],
  "stacks": stacks}
json.dump(doc, open(out, "w"), indent=1)
