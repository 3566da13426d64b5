"""Every SyncManager type, from an unmodified Python client, against mpactor.

usage: sync_manager_types.py HOST PORT AUTHKEY (run_with_server.py runs it)
Prints one line per check; exits non-zero at the first failure.
"""
import os
import queue
import sys
import threading
from multiprocessing import AuthenticationError
from multiprocessing.managers import SyncManager

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
m = SyncManager((host, port), authkey=key)
m.connect()


def check(what, got, want):
    if got != want:
        print(f"FAIL {what}: got {got!r}, want {want!r}")
        sys.exit(1)
    print(f"ok   {what}")


def raises(what, exc, fn):
    try:
        fn()
    except exc as e:
        print(f"ok   {what} raises {type(e).__name__}")
        return
    except Exception as e:  # noqa
        print(f"FAIL {what}: raised {type(e).__name__}: {e}")
        sys.exit(1)
    print(f"FAIL {what}: did not raise")
    sys.exit(1)


# dict
d = m.dict({"a": 1}, b=2)
d["c"] = (1, b"two", {3.5, None})
d[(1, 2)] = "tuple key"
check("dict len", len(d), 4)
check("dict getitem", d["c"], (1, b"two", {3.5, None}))
check("dict tuple key", d[(1, 2)], "tuple key")
check("dict get default", d.get("zz", 7), 7)
check("dict contains", "a" in d, True)
check("dict keys", d.keys(), ["a", "b", "c", (1, 2)])
check("dict keys is a list", type(d.keys()), list)
check("dict values", d.values(), [1, 2, (1, b"two", {3.5, None}), "tuple key"])
check("dict items", d.items()[0], ("a", 1))
check("dict items is a list", type(d.items()), list)
check("dict copy", d.copy()["b"], 2)
check("dict iter", list(iter(d)), ["a", "b", "c", (1, 2)])
check("dict str", str(m.dict({"x": (1,)})), "{'x': (1,)}")
raises("dict missing key", KeyError, lambda: d["nope"])
try:
    d["nope"]
except KeyError as e:
    check("KeyError carries the key", e.args, ("nope",))
check("dict pop", d.pop("a"), 1)
d.update({"u": 1}, v=2)
check("dict update", (d["u"], d["v"]), (1, 2))
check("dict setdefault", d.setdefault("w", 5), 5)
del d["w"]
check("dict del", "w" in d, False)
check("dict popitem (last in)", d.popitem(), ("v", 2))
d.clear()
check("dict clear", len(d), 0)
raises("popitem of an empty dict", KeyError, d.popitem)
try:
    d.popitem()
except KeyError as e:
    check("its KeyError", e.args, ("popitem(): dictionary is empty",))

# list
l = m.list([3, 1, 2])
l.append(4)
l.extend((5, 6))
check("list copy", l[:], [3, 1, 2, 4, 5, 6])
check("list index -1", l[-1], 6)
check("list slice", l[1:3], [1, 2])
l.sort()
check("list sort", l[:], [1, 2, 3, 4, 5, 6])
check("list pop", l.pop(), 6)
check("list count", l.count(2), 1)
check("list index", l.index(3), 2)
check("list contains", 4 in l, True)
l[0] = "x"
check("list setitem", l[0], "x")
del l[0]
check("list len", len(l), 4)
check("list iter", list(l), [2, 3, 4, 5])
raises("list out of range", IndexError, lambda: l[10])
raises("list remove missing", ValueError, lambda: l.remove(99))

# Namespace
ns = m.Namespace(x=1)
ns.y = [1, 2]
check("Namespace get", (ns.x, ns.y), (1, [1, 2]))
raises("Namespace missing", AttributeError, lambda: ns.z)
del ns.x
raises("Namespace deleted", AttributeError, lambda: ns.x)

# Queue, JoinableQueue
q = m.Queue()
q.put({"x": [1, 2.5, "three", b"four", (5, None, True)]})
check("Queue get", q.get(), {"x": [1, 2.5, "three", b"four", (5, None, True)]})
raises("Queue get timeout", queue.Empty, lambda: q.get(timeout=0.05))
raises("Queue get_nowait", queue.Empty, q.get_nowait)
q2 = m.Queue(1)
q2.put(1)
raises("Queue full", queue.Full, lambda: q2.put(2, False))
check("Queue qsize", q2.qsize(), 1)
check("Queue full()", q2.full(), True)
jq = m.JoinableQueue()
for i in range(3):
    jq.put(i)


def worker():
    while True:
        item = jq.get()
        jq.task_done()
        if item == 2:
            return


t = threading.Thread(target=worker)
t.start()
jq.join()
t.join()
check("JoinableQueue join", jq.empty(), True)

# Lock, RLock
lk = m.Lock()
check("Lock acquire", lk.acquire(), True)
check("Lock acquire timeout", lk.acquire(timeout=0.05), False)
lk.release()
raises("Lock release unlocked", RuntimeError, lk.release)
with lk:
    pass
rl = m.RLock()
check("RLock twice", (rl.acquire(), rl.acquire()), (True, True))
rl.release()
rl.release()

# Semaphore, BoundedSemaphore
s = m.Semaphore(2)
check("Semaphore", (s.acquire(), s.acquire(), s.acquire(False)), (True, True, False))
s.release()
bs = m.BoundedSemaphore(1)
raises("BoundedSemaphore over-release", ValueError, bs.release)

# Event
ev = m.Event()
check("Event is_set", ev.is_set(), False)
check("Event wait timeout", ev.wait(0.05), False)
threading.Timer(0.05, ev.set).start()
check("Event wait set", ev.wait(5), True)

# Condition
cond = m.Condition()
box = []


def notifier():
    with cond:
        box.append(1)
        cond.notify()


with cond:
    threading.Thread(target=notifier).start()
    check("Condition wait_for", bool(cond.wait_for(lambda: box, 5)), True)
raises("Condition release unheld", RuntimeError, cond.release)

# Barrier
b = m.Barrier(2, timeout=5)
check("Barrier parties", (b.parties, b.n_waiting, b.broken), (2, 0, False))
res = []
t = threading.Thread(target=lambda: res.append(b.wait()))
t.start()
res.append(b.wait())
t.join()
check("Barrier wait", sorted(res), [0, 1])
b.abort()
raises("Barrier broken", threading.BrokenBarrierError, b.wait)

# Value, Array
v = m.Value("i", 3)
v.value = 7
check("Value", v.value, 7)
a = m.Array("i", [1, 2, 3])
a[0] = 9
check("Array", (len(a), a[0], list(a[1:])), (3, 9, [2, 3]))

# Bookkeeping: the objects made above are freed when their proxies go.
del d, l, ns, q, q2, jq, lk, rl, s, bs, ev, cond, b, v, a
import gc
gc.collect()
check("number_of_objects after del", m._number_of_objects(), 0)

# A wrong key
bad = SyncManager((host, port), authkey=b"wrong key")
raises("wrong authkey", AuthenticationError, bad.connect)

# The server counts the refusal (mpactor-server --stats, over the native
# protocol, where the server has one).
if "MPACTOR_NATIVE_ADDRESS" in os.environ and os.path.basename(
        os.environ.get("MPACTOR_SERVER", "")) == "mpactor-server":
    import json
    import subprocess
    import tempfile
    # Python calls count in the server's calls as native ones do.
    counted = m.dict()
    for i in range(200):
        counted[i] = i
    with tempfile.NamedTemporaryFile("w") as f:
        f.write(key.decode())
        f.flush()
        out = subprocess.run([os.environ["MPACTOR_SERVER"], "--stats",
                              os.environ["MPACTOR_NATIVE_ADDRESS"], "--authkey-file", f.name],
                             capture_output=True, text=True, timeout=30)
    check("mpactor-server --stats exit status", out.returncode, 0)
    check("refused_authentication counts the Python client",
          json.loads(out.stdout)["refused_authentication"] >= 1, True)
    check("calls counts the Python calls", json.loads(out.stdout)["calls"] >= 200, True)
print("all checks passed")
