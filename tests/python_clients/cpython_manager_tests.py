"""CPython's own manager tests (test._test_multiprocessing) against mpactor.

usage: run_with_server.py MPACTOR_SERVER cpython_manager_tests.py [PATTERN...]
(run_with_server.py passes HOST PORT AUTHKEY first)

Replaces ManagerMixin's multiprocessing.Manager() with
SyncManager(address, authkey).connect() to the mpactor server, installs the
manager test classes as CPython's test_multiprocessing_* packages do, and
runs those a C++ server can serve: not Pool (it runs Python callables in the
server), MyManager, RemoteManager and ManagerRestart (they start managers of
their own). Prints unittest's summary; exits 0 whatever the result (it
measures, it does not gate).
"""
import sys
import unittest
import multiprocessing

import test._test_multiprocessing as tm
from multiprocessing.managers import SyncManager

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
patterns = sys.argv[4:]
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

classes = {"__name__": "mpactor_cpython_manager_tests"}
tm.install_tests_in_module_dict(classes, "fork", only_type="manager")
skip = ("Pool", "MyManager", "RemoteManager", "ManagerRestart")
loader = unittest.TestLoader()
suite = unittest.TestSuite()
for name, cls in sorted(classes.items()):
    if not (isinstance(cls, type) and issubclass(cls, unittest.TestCase)):
        continue
    if not name.startswith("WithManagerTest") or any(s in name for s in skip):
        continue
    if patterns and not any(p in name for p in patterns):
        continue
    suite.addTests(loader.loadTestsFromTestCase(cls))
result = unittest.TextTestRunner(verbosity=2).run(suite)
print(f"ran {result.testsRun}, failures {len(result.failures)}, errors {len(result.errors)}, "
      f"skipped {len(result.skipped)}")
