"""CPython's own manager tests (test._test_multiprocessing) against mpactor.

usage: run_with_server.py MPACTOR_SERVER cpython_manager_tests.py [PATTERN...]
(run_with_server.py passes HOST PORT AUTHKEY first)

Replaces ManagerMixin's multiprocessing.Manager() with
SyncManager(address, authkey).connect() to the mpactor server, installs the
manager test classes as CPython's test_multiprocessing_* packages do, and
runs those a C++ server can serve: not Pool (it runs Python callables in the
server), MyManager, RemoteManager and ManagerRestart (they start managers of
their own). TestSyncManagerTypes runs with a manager that connects instead
of starting. Skipped: Barrier's test_action and TestSyncManagerTypes'
test_pool (Python code in the server), and TestSyncManagerTypes' test_lock
and test_bounded_semaphore (mpactor releases what an exited client held: a
child's Lock is free when the parent releases it). Prints ran/passed/skipped/failed per class;
exits 1 if a test failed.

It takes about a minute, so MPACTOR_CPYTHON_TESTS=0 skips it (exit 77) in a
quick run of the suite:
  MPACTOR_CPYTHON_TESTS=0 ctest
A PATTERN (a class name part) runs those classes at once.
"""
import collections
import os
import sys
import unittest
import multiprocessing

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
patterns = sys.argv[4:]
if not patterns and os.environ.get("MPACTOR_CPYTHON_TESTS") == "0":
    print("CPython's manager tests: skipped (MPACTOR_CPYTHON_TESTS=0)")
    sys.exit(77)

try:
    import test._test_multiprocessing as tm
except ImportError:
    print("no test._test_multiprocessing in this Python (Debian: libpython3-testsuite)")
    sys.exit(77)
from multiprocessing.managers import SyncManager

# Proxies unpickled from replies (nested proxies, Iterators) authenticate
# with the process's authkey, as in any client of a manager it did not start.
multiprocessing.current_process().authkey = key


@classmethod
def set_up_class(cls):
    super(tm.ManagerMixin, cls).setUpClass()
    cls.manager = SyncManager((host, port), authkey=key)
    cls.manager.connect()


@classmethod
def tear_down_class(cls):
    cls.manager = None
    super(tm.ManagerMixin, cls).tearDownClass()


tm.ManagerMixin.setUpClass = set_up_class
tm.ManagerMixin.tearDownClass = tear_down_class


class ConnectedManager(SyncManager):
    """TestSyncManagerTypes' manager: start() connects to mpactor."""

    def __init__(self):
        super().__init__((host, port), authkey=key)

    def start(self, *args, **kwds):
        self.connect()

    def shutdown(self):
        pass  # the server is not ours to stop


tm.TestSyncManagerTypes.manager_class = ConnectedManager
OUT_OF_REACH = {
    "test_action": "Barrier(action=...) runs Python code in the server",
    "test_pool": "a Pool runs Python callables in the server",
}
# By design (issue 11): a client whose connections close gives back its lock
# holds, so a child that exits holding a Lock or BoundedSemaphore releases
# it, and the parent's release after it is an unheld release.
BY_DESIGN = {
    "test_lock": "mpactor releases the holds of a client that exited",
    "test_bounded_semaphore": "mpactor releases the holds of a client that exited",
}

classes = {"__name__": "mpactor_cpython_manager_tests"}
tm.install_tests_in_module_dict(classes, "fork", only_type="manager")
classes["TestSyncManagerTypes"] = tm.TestSyncManagerTypes
skip = ("Pool", "MyManager", "RemoteManager", "ManagerRestart")
loader = unittest.TestLoader()
suite = unittest.TestSuite()
for name, cls in sorted(classes.items()):
    if not (isinstance(cls, type) and issubclass(cls, unittest.TestCase)):
        continue
    if not (name.startswith("WithManagerTest") or name == "TestSyncManagerTypes"):
        continue
    if any(s in name for s in skip):
        continue
    if patterns and not any(p in name for p in patterns):
        continue
    for method, why in OUT_OF_REACH.items():
        if hasattr(cls, method):
            setattr(cls, method, unittest.skip(why)(getattr(cls, method)))
    if cls is tm.TestSyncManagerTypes:
        for method, why in BY_DESIGN.items():
            setattr(cls, method, unittest.skip(why)(getattr(cls, method)))
    suite.addTests(loader.loadTestsFromTestCase(cls))


def tests_of(s):
    for t in s:
        yield from tests_of(t) if isinstance(t, unittest.TestSuite) else (t,)


per_class = collections.defaultdict(collections.Counter)
for test in tests_of(suite):  # before run(): it empties the suite
    per_class[type(test).__name__]["ran"] += 1
result = unittest.TextTestRunner(verbosity=2).run(suite)
for kind, items in (("failed", result.failures), ("failed", result.errors),
                    ("skipped", result.skipped)):
    for test, _ in items:
        per_class[type(test).__name__][kind] += 1
print(f"{'class':36} {'ran':>4} {'passed':>6} {'skipped':>7} {'failed':>6}")
for name, c in sorted(per_class.items()):
    passed = c["ran"] - c["skipped"] - c["failed"]
    print(f"{name:36} {c['ran']:4} {passed:6} {c['skipped']:7} {c['failed']:6}")
# Totals from the collected tests: since 3.12 a test skipped by decorator
# is not in testsRun.
ran = sum(c["ran"] for c in per_class.values())
skipped = sum(c["skipped"] for c in per_class.values())
failed = sum(c["failed"] for c in per_class.values())
print(f"ran {ran}, passed {ran - skipped - failed}, failures {len(result.failures)}, "
      f"errors {len(result.errors)}, skipped {skipped}")
sys.exit(0 if result.wasSuccessful() else 1)
