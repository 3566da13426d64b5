#!/usr/bin/env bash
# Builds mpactor and runs the side-by-side benchmarks; prints their tables.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh python3 redis-server redis-tools libhiredis-dev libmsgpack-cxx-dev pkg-config >/dev/null
echo "## shared memory"
build/bench/bench_shm --python bench/python_baseline.py
echo
echo "## server process (Manager) vs Python Manager and Redis"
build/bench/bench_manager --python bench/python_baseline.py
echo
echo "## load: 32 client processes x 5,000 mixed ops on one manager vs Python BaseManager"
build/bench/bench_load --python bench/load_baseline.py
echo
echo "## many client processes: sync dict set+get vs Redis (hiredis), 1/32/128 processes"
if [ -x build/bench/bench_fleet ]; then build/bench/bench_fleet; else echo "(no bench_fleet: libhiredis-dev missing)"; fi
echo
echo "## Python clients: one Python client program vs mpactor's Python listener and Python's SyncManager server"
build/bench/bench_python_clients --script bench/python_clients_baseline.py || echo "(a goal was missed)"
echo
echo "## idle authenticated connections: server memory and threads at 0, 1,000 and 10,000"
build/bench/bench_idle
echo
echo "## wire codec: mpactor's MessagePack vs msgpack-c and nlohmann, ns per frame"
if [ -x build/bench/bench_codec ]; then build/bench/bench_codec; else echo "(no bench_codec: libmsgpack-cxx-dev missing)"; fi
echo
echo "## word_count: 1, 2 and 4 worker processes vs the single-process count"
build/bench/bench_word_count
