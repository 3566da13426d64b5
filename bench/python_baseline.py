"""Side-by-side anchor: CPython multiprocessing shared state, measured on this machine.
Prints one line per figure: name, ops/s. Run: python3 bench/python_baseline.py [scale]"""
import multiprocessing as mp, sys, time

SCALE = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
N = lambda n: max(1, int(n * SCALE))

def inc_locked(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1

def inc_racy(v, n):
    for _ in range(n):
        v.value += 1

def run_procs(target, args, k=2):
    ps = [mp.Process(target=target, args=args) for _ in range(k)]
    t = time.perf_counter()
    for p in ps: p.start()
    for p in ps: p.join()
    return time.perf_counter() - t

def dict_ops(d, n, base):
    for i in range(n):
        d[base + i % 64] = i
        d[base + i % 64]

def q_prod(q, n):
    for i in range(n): q.put(i)
    q.put(None)

def q_cons(q):
    while q.get() is not None: pass

def lock_ops(l, n):
    for _ in range(n):
        l.acquire(); l.release()

def report(name, ops, secs, extra=""):
    print(f"{name:44s} {ops/secs:14,.0f} ops/s {extra}", flush=True)

if __name__ == "__main__":
    n = N(200_000)
    v = mp.Value('i', 0)
    s = run_procs(inc_locked, (v, n)); report("sharedctypes Value += under get_lock, 2 procs", 2*n, s, f"final={v.value} expected={2*n}")
    v = mp.Value('i', 0)
    s = run_procs(inc_racy, (v, n)); report("sharedctypes Value += without lock, 2 procs", 2*n, s, f"final={v.value} expected={2*n} (lost {2*n-v.value})")
    with mp.Manager() as m:
        d = m.dict(); n = N(20_000)
        t = time.perf_counter(); dict_ops(d, n, 0); s = time.perf_counter() - t
        report("Manager dict set+get, 1 client (2 ops/iter)", 2*n, s)
        s = run_procs(dict_ops, (d, n, 0)); report("Manager dict set+get, 2 client procs", 4*n, s)
        l = m.list(); t = time.perf_counter()
        for i in range(n): l.append(i)
        report("Manager list append, 1 client", n, time.perf_counter() - t)
        ns = m.Namespace(); t = time.perf_counter()
        for i in range(n): ns.x = i; ns.x
        report("Manager Namespace set+get, 1 client", 2*n, time.perf_counter() - t)
        lk = m.Lock(); t = time.perf_counter(); lock_ops(lk, n)
        report("Manager Lock acquire+release, 1 client", 2*n, time.perf_counter() - t)
        q = m.Queue(); n = N(20_000)
        p = mp.Process(target=q_prod, args=(q, n)); c = mp.Process(target=q_cons, args=(q,))
        t = time.perf_counter(); p.start(); c.start(); p.join(); c.join()
        report("Manager Queue put->get, 1 producer 1 consumer", n, time.perf_counter() - t)
    q = mp.Queue(); n = N(200_000)
    p = mp.Process(target=q_prod, args=(q, n)); c = mp.Process(target=q_cons, args=(q,))
    t = time.perf_counter(); p.start(); c.start(); p.join(); c.join()
    report("mp.Queue (pipe) put->get, 1 producer 1 consumer", n, time.perf_counter() - t)
