"""The Python client program of bench_python_clients, and Python's own server.

  python_clients_baseline.py serve KEY [PATH]
      Python's SyncManager server on 127.0.0.1 (a free port; with PATH, on
      that Unix socket); prints the port (0 for a path) on a line, then
      serves until killed.
  python_clients_baseline.py dict HOST PORT KEY PROCS PAIRS
      PROCS client processes share one managed dict; each does PAIRS
      d[k] = i; d[k] on its own key. Prints set+get pairs per second (all
      processes together, from the moment all are connected to the last
      one's end).
  python_clients_baseline.py queue HOST PORT KEY OPS
      one process: q.put(i); q.get() OPS times on a managed Queue. Prints
      put->get round trips per second.

The same program runs against both servers: only HOST PORT differ. HOST
"unix" means PORT is the path of a Unix socket (the family Python's own
managers use by default).
"""
import multiprocessing as mp
import sys
import time
from multiprocessing.managers import SyncManager


def manager(host, port, key):
    address = port if host == "unix" else (host, int(port))
    m = SyncManager(address, authkey=key.encode())
    m.connect()
    return m


def dict_client(d, me, pairs, ready):
    key = f"k{me}"
    d[key] = 0  # the connection is made before the clock starts
    ready.wait(timeout=120)
    for i in range(pairs):
        d[key] = i
        d[key]
    # a proxy's last call is answered: nothing left in flight


def run_dict(host, port, key, procs, pairs):
    m = manager(host, port, key)
    d = m.dict()
    ctx = mp.get_context("fork")
    ready = ctx.Barrier(procs + 1)
    children = [ctx.Process(target=dict_client, args=(d, i, pairs, ready)) for i in range(procs)]
    for c in children:
        c.start()
    # A client that failed before it got here breaks the run, not hangs it.
    ready.wait(timeout=120)
    t0 = time.perf_counter()
    for c in children:
        c.join()
    elapsed = time.perf_counter() - t0
    if any(c.exitcode != 0 for c in children):
        sys.exit("a client process failed")
    for i in range(procs):
        assert d[f"k{i}"] == pairs - 1
    print(procs * pairs / elapsed)


def run_queue(host, port, key, ops):
    m = manager(host, port, key)
    q = m.Queue()
    q.put(0)
    q.get()
    t0 = time.perf_counter()
    for i in range(ops):
        q.put(i)
        assert q.get() == i
    print(ops / (time.perf_counter() - t0))


def serve(key, path=None):
    m = SyncManager(path if path else ("127.0.0.1", 0), authkey=key.encode())
    server = m.get_server()
    print(0 if path else server.address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    mode, *a = sys.argv[1:]
    if mode == "serve":
        serve(*a[:2])
    elif mode == "dict":
        run_dict(a[0], a[1], a[2], int(a[3]), int(a[4]))
    elif mode == "queue":
        run_queue(a[0], a[1], a[2], int(a[3]))
    else:
        sys.exit(__doc__)
