"""Runs a Python client script against an mpactor-server that serves Python.

usage: run_with_server.py MPACTOR_SERVER SCRIPT [ARGS...]

Starts MPACTOR_SERVER --python 127.0.0.1:0 with a fresh authkey, waits for
its "serving Python clients on HOST:PORT" line (10 s at most), runs
SCRIPT HOST PORT AUTHKEY [ARGS...] with this interpreter, stops the
server with SIGTERM and exits with the script's status.
"""
import os
import re
import signal
import subprocess
import sys
import threading

server_bin, script, *rest = sys.argv[1:]
key = os.urandom(16).hex()
env = dict(os.environ, MPACTOR_AUTHKEY=key)
srv = subprocess.Popen([server_bin, "--port", "0", "--python", "127.0.0.1:0"],
                       env=env, stderr=subprocess.PIPE, text=True)
found = threading.Event()
where = {}


def watch():
    for line in srv.stderr:
        sys.stderr.write("[server] " + line)
        m = re.search(r"serving Python clients on (\S+):(\d+)", line)
        if m:
            where["host"], where["port"] = m.group(1), m.group(2)
            found.set()


threading.Thread(target=watch, daemon=True).start()
try:
    if not found.wait(10):
        print("the server did not say where it serves Python clients", file=sys.stderr)
        sys.exit(1)
    rc = subprocess.call([sys.executable, script, where["host"], where["port"], key, *rest],
                         timeout=float(os.environ.get("RUN_TIMEOUT", "120")))
finally:
    srv.send_signal(signal.SIGTERM)
    try:
        srv.wait(10)
    except subprocess.TimeoutExpired:
        srv.kill()
sys.exit(rc)
