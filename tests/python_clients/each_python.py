"""The Python client tests with every CPython 3.8+ that pyenv installed.

usage: each_python.py MPACTOR_SERVER MATHS_HOST
Looks for $PYENV_ROOT/versions/*/bin/python3 (default ~/.pyenv), other
than this interpreter's version. Runs
sync_manager_types.py against MPACTOR_SERVER and registered_class.py against
MATHS_HOST with each, two interpreters at a time; exits 77 (ctest's skip)
when there is none, 1 when one failed. The image's python3 runs the same
scripts in their own tests: this one adds the other versions' handshakes
(HMAC-MD5 before 3.12, SHA-256 since) and pickles.
"""
import concurrent.futures
import glob
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
server, maths_host = sys.argv[1], sys.argv[2]
root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
found = []
for exe in sorted(glob.glob(os.path.join(root, "versions", "*", "bin", "python3"))):
    m = re.match(r"(\d+)\.(\d+)", os.path.basename(os.path.dirname(os.path.dirname(exe))))
    # The version running this script runs the same scripts in tests of
    # their own: not again here.
    if m and (3, 8) <= (int(m.group(1)), int(m.group(2))) != sys.version_info[:2]:
        found.append(((int(m.group(1)), int(m.group(2))), m.group(0), exe))
found = [(version, exe) for _, version, exe in sorted(found)]
if not found:
    print(f"no pyenv CPython 3.8+ under {root}: skipped")
    sys.exit(77)

runner = os.path.join(here, "run_with_server.py")
runs = []
for version, exe in found:
    runs.append((version, "sync_manager_types",
                 [exe, runner, server, os.path.join(here, "sync_manager_types.py")]))
    runs.append((version, "registered_class",
                 [exe, runner, maths_host, "--python", "127.0.0.1:0", "--",
                  os.path.join(here, "registered_class.py")]))


def run(entry):
    version, name, cmd = entry
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    return version, name, p.returncode, p.stdout


failed = 0
with concurrent.futures.ThreadPoolExecutor(2) as pool:
    for version, name, rc, out in pool.map(run, runs):
        print(f"{'ok  ' if rc == 0 else 'FAIL'} Python {version}: {name}")
        if rc != 0:
            failed += 1
            print(out)
sys.exit(1 if failed else 0)
