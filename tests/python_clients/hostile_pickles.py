"""Pickles that would run code in a Python server, sent after authentication.

usage: hostile_pickles.py HOST PORT AUTHKEY (run_with_server.py runs it)
Each must come back as a '#TRACEBACK' reply naming the refusal, run
nothing, and leave the connection and server usable.
"""
import os
import pickle
import random
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
def expect_refusal(name, data, word):
    conn.send_bytes(data)
    kind, text = conn.recv()
    if kind != "#TRACEBACK" or word not in text:
        print(f"FAIL {name}: got {kind!r} {text!r}")
        sys.exit(1)
    print(f"ok   {name} refused: {text[:80]}")


# Requests at the edges of the one-pass reader (flat_pickle_reader), which
# gives up on anything unusual and leaves it to the graph reader: deep
# args, a str that announces more bytes than follow, args that are a list,
# and a real request with random bytes changed. Each gets a reply.
expect_refusal("300 nested TUPLE1", b"\x80\x04(N\x8c\x05dummyN" + b"\x85" * 300 + b"}t.",
               "max_depth")
expect_refusal("300 nested tuples",
               b"\x80\x04(N\x8c\x05dummy" + b"(" * 300 + b")" + b"t" * 300 + b"}t.", "max_depth")
expect_refusal("a str longer than what follows",
               b"\x80\x04(N\x8c\x05dummy\x8c\xff" + b"x" * 10 + b"}t.", "refused")
conn.send_bytes(pickle.dumps((None, "dummy", [], {}), protocol=4))
print(f"ok   args as a list: {conn.recv()}")
rng = random.Random(7)
real = bytearray(pickle.dumps((None, "dummy", ("k3", 5, (1.5, None)), {}), protocol=4))
kinds = {}
for i in range(500):
    mutated = bytearray(real)
    for _ in range(rng.randint(1, 3)):
        mutated[rng.randrange(len(mutated))] = rng.randrange(256)
    conn.send_bytes(bytes(mutated))
    kind = conn.recv()[0]
    kinds[kind] = kinds.get(kind, 0) + 1
if set(kinds) - {"#RETURN", "#ERROR", "#TRACEBACK"}:
    print(f"FAIL mutated requests got {kinds}")
    sys.exit(1)
print(f"ok   500 mutated requests each answered: {kinds}")
conn.send((None, "dummy", (), {}))
if conn.recv() != ("#RETURN", None):
    print("FAIL the connection does not serve after the refusals")
    sys.exit(1)
print("ok   the connection still serves")
if os.path.exists(marker):
    print("FAIL a hostile pickle ran code")
    sys.exit(1)
print("all checks passed")
