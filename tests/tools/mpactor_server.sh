#!/usr/bin/env bash
# mpactor-server end to end: --help; the authkey refused on the command line;
# serving with a key from a file; --stats from another process; one log line
# per client connect and disconnect, none holding the key; a wrong key
# refused; a clean exit on SIGTERM; no key beyond loopback refused.
#   mpactor_server.sh PATH/TO/mpactor-server
set -euo pipefail
exe=$1
work=$(mktemp -d)
trap 'kill -9 $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=0

"$exe" --help | grep -q "usage: mpactor-server"
if "$exe" --authkey visible 2>"$work/err"; then echo "FAIL: key taken on the command line"; exit 1; fi
grep -q "not taken on the command line" "$work/err"
if "$exe" --host 0.0.0.0 2>"$work/err"; then echo "FAIL: served beyond loopback without a key"; exit 1; fi
grep -q "without an authkey" "$work/err"

if "$exe" --io-poll-us 20000 2>"$work/err"; then echo "FAIL: a 20 ms poll window was taken"; exit 1; fi
grep -q "io_poll" "$work/err"

key="secret-$$-$RANDOM"
printf '%s\n' "$key" > "$work/key"
# Port 0: the kernel picks a free port (a random pick could collide with
# another test or an ephemeral port); the log line says which.
"$exe" --port 0 --authkey-file "$work/key" --io-batch-when-busy 0 2>"$work/log" &
server=$!
for _ in $(seq 1 200); do grep -q "serving on" "$work/log" && break; sleep 0.025; done
port=$(sed -n 's/^mpactor-server: serving on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/log" | head -n 1)
if [ -z "$port" ] || [ "$port" = 0 ]; then echo "FAIL: no port in the log"; cat "$work/log"; exit 1; fi

MPACTOR_AUTHKEY="$key" "$exe" --stats 127.0.0.1:$port > "$work/stats"
grep -q '"sessions"' "$work/stats"
grep -q '"io_poll_us": *100' "$work/stats"
grep -q '"io_batch_when_busy": *false' "$work/stats"
grep -q '"io_batch": *false' "$work/stats"
if MPACTOR_AUTHKEY=wrong "$exe" --stats 127.0.0.1:$port 2>"$work/err"; then
  echo "FAIL: a wrong key was accepted"; exit 1
fi
grep -qi "authkey" "$work/err"

kill -TERM $server
wait $server
cat "$work/log"
grep -q "connected (session" "$work/log"
grep -q "disconnected" "$work/log"
grep -q "refused" "$work/log"
grep -q "stopped" "$work/log"
if grep -q "$key" "$work/log"; then echo "FAIL: the key was logged"; exit 1; fi

# Python clients on a Unix socket (--python unix:PATH), the family Python's
# own managers use by default.
if command -v python3 >/dev/null; then
  MPACTOR_AUTHKEY="$key" "$exe" --port 0 --python "unix:$work/py.sock" 2>"$work/pylog" &
  server=$!
  for _ in $(seq 1 200); do grep -q "serving Python clients" "$work/pylog" && break; sleep 0.025; done
  grep -q "serving Python clients on unix:$work/py.sock" "$work/pylog"
  KEY="$key" SOCK="$work/py.sock" python3 - <<'PY'
import os
from multiprocessing.managers import SyncManager
m = SyncManager(os.environ["SOCK"], authkey=os.environ["KEY"].encode())
m.connect()
d = m.dict()
d["over"] = ("a", "unix", "socket")
assert d["over"] == ("a", "unix", "socket"), d["over"]
PY
  kill -TERM $server
  wait $server
fi
echo PASS
