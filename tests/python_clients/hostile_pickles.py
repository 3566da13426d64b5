"""Pickles that would run code in a Python server, sent after authentication.

usage: hostile_pickles.py HOST PORT AUTHKEY (run_with_server.py runs it)
Each must come back as a '#TRACEBACK' reply naming the refusal, run
nothing, and leave the connection and server usable.
"""
import os
import pickle
import sys
import tempfile
from multiprocessing.connection import Client

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
marker = os.path.join(tempfile.mkdtemp(), "pwned")


class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + marker,))


class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch %s')" % marker,))


conn = Client((host, port), authkey=key)
for name, payload in [("os.system", Evil()), ("builtins.eval", Eval())]:
    conn.send_bytes(pickle.dumps((None, "dummy", (payload,), {})))
    kind, text = conn.recv()
    if kind != "#TRACEBACK" or "refused" not in text:
        print(f"FAIL {name}: got {kind!r} {text!r}")
        sys.exit(1)
    print(f"ok   {name} refused: {text}")
conn.send_bytes(b"\x80\x04garbage")
kind, text = conn.recv()
print(f"ok   malformed pickle: {kind} {text}")
conn.send((None, "dummy", (), {}))
if conn.recv() != ("#RETURN", None):
    print("FAIL the connection does not serve after the refusals")
    sys.exit(1)
print("ok   the connection still serves")
if os.path.exists(marker):
    print("FAIL a hostile pickle ran code")
    sys.exit(1)
print("all checks passed")
