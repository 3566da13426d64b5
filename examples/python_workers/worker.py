"""A Python worker of examples/python_workers: unmodified multiprocessing.

usage: worker.py HOST PORT AUTHKEY NAME
Takes jobs from the manager's shared JoinableQueue until None, stores
n -> (n*n, NAME) in its shared dict, and calls task_done() for each. After
its first job it waits at the shared Barrier until every worker has one.
"""
import sys
from multiprocessing.managers import BaseManager, DictProxy


class Manager(BaseManager):
    pass


Manager.register("get_jobs")
Manager.register("get_results", proxytype=DictProxy)
Manager.register("get_start")

host, port, key, name = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4]
m = Manager((host, port), authkey=key)
m.connect()
jobs, results, start = m.get_jobs(), m.get_results(), m.get_start()
done = 0
while True:
    n = jobs.get()
    if n is None:
        jobs.task_done()
        break
    results[n] = (n * n, name)
    done += 1
    if done == 1:
        start.wait()  # every worker has taken one job
    jobs.task_done()
print(f"{name}: {done} jobs")
