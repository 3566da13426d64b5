"""Runs a Python client script against a server that serves Python.

usage: run_with_server.py SERVER SCRIPT [ARGS...]
       run_with_server.py SERVER [SERVER_ARGS...] -- SCRIPT [ARGS...]

Starts SERVER (with SERVER_ARGS, by default --port 0 --python 127.0.0.1:0)
with a fresh authkey in MPACTOR_AUTHKEY, waits for its "serving Python
clients on HOST:PORT" line (10 s at most), runs SCRIPT HOST PORT AUTHKEY
[ARGS...] with this interpreter (MPACTOR_NATIVE_ADDRESS holds the native
HOST:PORT when the server said "serving on HOST:PORT", MPACTOR_SERVER the
server's path), stops the server
with SIGTERM and exits with the script's status.
"""
import os
import re
import signal
import subprocess
import sys
import threading

argv = sys.argv[1:]
if "--" in argv:
    cut = argv.index("--")
    server_cmd, (script, *rest) = argv[:cut], argv[cut + 1:]
else:
    (server_bin, script, *rest) = argv
    server_cmd = [server_bin, "--port", "0", "--python", "127.0.0.1:0"]
key = os.urandom(16).hex()
env = dict(os.environ, MPACTOR_AUTHKEY=key)
srv = subprocess.Popen(server_cmd, env=env, stderr=subprocess.PIPE, text=True)
found = threading.Event()
where = {}


def watch():
    for line in srv.stderr:
        sys.stderr.write("[server] " + line)
        m = re.search(r"serving on (\S+):(\d+)", line)
        if m:
            where["native"] = m.group(1) + ":" + m.group(2)
        m = re.search(r"serving Python clients on (\S+):(\d+)", line)
        if m:
            where["host"], where["port"] = m.group(1), m.group(2)
            found.set()


threading.Thread(target=watch, daemon=True).start()
rc = 1
try:
    if not found.wait(10):
        print("the server did not say where it serves Python clients", file=sys.stderr)
        sys.exit(1)
    script_env = dict(os.environ)
    if "native" in where:
        script_env["MPACTOR_NATIVE_ADDRESS"] = where["native"]
    script_env["MPACTOR_SERVER"] = server_cmd[0]
    rc = subprocess.call([sys.executable, script, where["host"], where["port"], key, *rest],
                         env=script_env,
                         timeout=float(os.environ.get("RUN_TIMEOUT", "120")))
finally:
    srv.send_signal(signal.SIGTERM)
    try:
        srv.wait(10)
    except subprocess.TimeoutExpired:
        srv.kill()
sys.exit(rc)
