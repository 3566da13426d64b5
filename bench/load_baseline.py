#!/usr/bin/env python3
"""Python side of bench_load: the same load on a remote BaseManager server.

A BaseManager server process on 127.0.0.1 (any port) with an authkey serves a
dict of counters, a Lock, a list, a Namespace, a Queue and a Value; N client
processes (fork) each connect() to it with the authkey and do OPS operations
of a fixed mix drawn from a fixed-seed xorshift64 generator (the same
generator, seeds and mix as bench/load_bench.cpp):

    25  update     lock.acquire(); d[k] = d.get(k, 0) + 1; lock.release()
    20  append     lst.append(x)
    15  ns get     ns.x
    10  ns set     ns.x = x
    15  queue      put(x) if this client has nothing in the queue, else get()
    15  value get  v.value

Each client times every operation (perf_counter) into shared memory; all
clients start together at a barrier once connected. The parent then verifies:
sum of counters == updates done, len(list) == appends, gets == puts and the
queue is empty. Prints one line:

    LOAD_RESULT clients ops errors lost ops_per_s p50_us p99_us verified
    LOAD_KINDS  p50_us of update append nsget nsset qput qget vget

Run: python3 bench/load_baseline.py [--clients 32] [--ops 5000]
"""

import argparse
import multiprocessing as mp
import queue
import sys
import threading
import time
from multiprocessing.managers import (AcquirerProxy, BaseManager, DictProxy,
                                      ListProxy, Namespace, NamespaceProxy,
                                      Value, ValueProxy)

AUTHKEY = b"some-key"
KINDS = ("update", "append", "nsget", "nsset", "qput", "qget", "vget")
N_KEYS = 16
MASK = (1 << 64) - 1

# Objects of the server process (created there: start() forks before use).
_objects = {}


def _obj(name, make):
    if name not in _objects:
        _objects[name] = make()
    return _objects[name]


def _namespace():
    ns = Namespace()
    ns.x = 0
    return ns


class LoadManager(BaseManager):
    pass


LoadManager.register("get_dict", callable=lambda: _obj("d", dict), proxytype=DictProxy)
LoadManager.register("get_lock", callable=lambda: _obj("l", threading.Lock),
                     proxytype=AcquirerProxy)
LoadManager.register("get_list", callable=lambda: _obj("lst", list), proxytype=ListProxy)
LoadManager.register("get_ns", callable=lambda: _obj("ns", _namespace),
                     proxytype=NamespaceProxy)
LoadManager.register("get_queue", callable=lambda: _obj("q", queue.Queue))
LoadManager.register("get_value", callable=lambda: _obj("v", lambda: Value("i", 7)),
                     proxytype=ValueProxy)


class XorShift64:
    """xorshift64; identical to the C++ side's generator."""

    def __init__(self, client):
        self.s = (88172645463325252 + 7919 * (client + 1)) & MASK

    def next(self):
        s = self.s
        s ^= (s << 13) & MASK
        s ^= s >> 7
        s ^= (s << 17) & MASK
        self.s = s
        return s >> 32


# Per-client counters in shared memory: updates appends puts gets errors.
C_UPD, C_APP, C_PUT, C_GET, C_ERR, N_COUNTERS = range(6)


def client(cid, address, n_ops, barrier, lat, kinds, counters, ends):
    m = LoadManager(address=address, authkey=AUTHKEY)
    m.connect()
    d, lock, lst = m.get_dict(), m.get_lock(), m.get_list()
    ns, q, v = m.get_ns(), m.get_queue(), m.get_value()
    rng = XorShift64(cid)
    upd = app = put = got = err = 0
    outstanding = 0
    base = cid * n_ops
    clock = time.perf_counter
    barrier.wait(timeout=300)
    for i in range(n_ops):
        r = rng.next() % 100
        t0 = clock()
        try:
            if r < 25:
                kind = 0
                key = "k%d" % (rng.next() % N_KEYS)
                lock.acquire()
                try:
                    d[key] = d.get(key, 0) + 1
                    upd += 1
                finally:
                    lock.release()
            elif r < 45:
                kind = 1
                lst.append(base + i)
                app += 1
            elif r < 60:
                kind = 2
                ns.x
            elif r < 70:
                kind = 3
                ns.x = base + i
            elif r < 85:
                if outstanding == 0:
                    kind = 4
                    q.put(base + i)
                    put += 1
                    outstanding = 1
                else:
                    kind = 5
                    q.get()
                    got += 1
                    outstanding = 0
            else:
                kind = 6
                v.value
        except Exception as e:  # counted; the load goes on
            err += 1
            if err <= 3:
                print("client %d op %d: %r" % (cid, i, e), file=sys.stderr)
        lat[base + i] = (clock() - t0) * 1e6
        kinds[base + i] = kind
    ends[cid] = clock()
    if outstanding:  # untimed: leave nothing of ours in the queue
        try:
            q.get(timeout=60)
            got += 1
        except Exception:
            err += 1
    c = counters
    c[cid * N_COUNTERS + C_UPD] = upd
    c[cid * N_COUNTERS + C_APP] = app
    c[cid * N_COUNTERS + C_PUT] = put
    c[cid * N_COUNTERS + C_GET] = got
    c[cid * N_COUNTERS + C_ERR] = err


def percentile(sorted_xs, q):
    if not sorted_xs:
        return 0.0
    return sorted_xs[min(len(sorted_xs) - 1, int(q * len(sorted_xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--ops", type=int, default=5000)
    a = ap.parse_args()
    n, n_ops = a.clients, a.ops
    ctx = mp.get_context("fork")

    m = LoadManager(address=("127.0.0.1", 0), authkey=AUTHKEY, ctx=ctx)
    m.start()
    try:
        lat = ctx.RawArray("d", n * n_ops)
        kinds = ctx.RawArray("b", n * n_ops)
        counters = ctx.RawArray("q", n * N_COUNTERS)
        ends = ctx.RawArray("d", n)
        barrier = ctx.Barrier(n + 1)
        procs = [ctx.Process(target=client,
                             args=(c, m.address, n_ops, barrier, lat, kinds, counters,
                                   ends))
                 for c in range(n)]
        for p in procs:
            p.start()
        errors = 0
        try:
            barrier.wait(timeout=300)
        except threading.BrokenBarrierError:
            errors += 1
        t0 = time.perf_counter()
        for p in procs:
            p.join(timeout=600)
            if p.is_alive():
                p.terminate()
                p.join()
            if p.exitcode != 0:
                errors += 1
        wall = max(ends) - t0 if max(ends) > t0 else time.perf_counter() - t0

        def total(k):
            return sum(counters[c * N_COUNTERS + k] for c in range(n))

        errors += total(C_ERR)
        d, lst, q = m.get_dict(), m.get_list(), m.get_queue()
        counted = sum(d.values())
        lost = total(C_UPD) - counted
        ok = (lost == 0 and len(lst) == total(C_APP) and total(C_PUT) == total(C_GET)
              and q.qsize() == 0 and errors == 0)
        if not ok:
            print("python verify: counters %d/%d, list %d/%d, queue put %d got %d left %d,"
                  " errors %d" % (counted, total(C_UPD), len(lst), total(C_APP),
                                  total(C_PUT), total(C_GET), q.qsize(), errors),
                  file=sys.stderr)
        xs = sorted(lat)
        by_kind = [[] for _ in KINDS]
        for x, k in zip(lat, kinds):
            by_kind[k].append(x)
        print("LOAD_RESULT %d %d %d %d %.1f %.1f %.1f %d"
              % (n, n * n_ops, errors, lost, n * n_ops / wall, percentile(xs, 0.50),
                 percentile(xs, 0.99), 1 if ok else 0))
        print("LOAD_KINDS " + " ".join("%.1f" % percentile(sorted(b), 0.50)
                                       for b in by_kind))
        sys.stdout.flush()
        return 0 if ok else 1
    finally:
        m.shutdown()


if __name__ == "__main__":
    sys.exit(main())
