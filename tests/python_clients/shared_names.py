"""mpactor-server --shared NAME=TYPE from Python and from C++.

usage: run_with_server.py mpactor-server --port 0 --python 127.0.0.1:0
         --shared results=dict --shared jobs=Queue --shared gate=Barrier --
         shared_names.py CLIENT
(HOST PORT AUTHKEY come first; CLIENT is shared_names_client)

Every m.results() is the one dict and every m.jobs() the one Queue, also
for the C++ client, which reads what Python stored and answers (int keys
too: one key for both kinds of client). A shared
Barrier (one party) through AutoProxy: its methods are wait, abort and
reset, not the __getattribute__ that BarrierProxy uses (an AutoProxy that
made it remote would recurse on its own attributes).
"""
import os
import subprocess
import sys
from multiprocessing.managers import BaseManager

host, port, key, client = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class M(BaseManager):
    pass


M.register("results")
M.register("jobs")
M.register("gate")
m = M((host, port), authkey=key.encode())
m.connect()
results, jobs = m.results(), m.jobs()
assert m.results()._token.id == results._token.id, "a second results() is another object"
results["python"] = "from python"
results[7] = 49
env = dict(os.environ, MPACTOR_AUTHKEY=key)
rc = subprocess.call([client, os.environ["MPACTOR_NATIVE_ADDRESS"]], env=env, timeout=60)
assert rc == 0, f"the C++ client failed ({rc})"
assert results["cpp"] == "from c++", results.copy()
assert results[8] == 64, results.copy()
assert jobs.get(timeout=10) == 42
assert m.jobs().empty()
gate = m.gate()
assert gate.wait() == 0
assert set(gate._exposed_) == {"wait", "abort", "reset"}, gate._exposed_
print("shared names: ok")
