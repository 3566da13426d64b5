#!/usr/bin/env bash
# Builds mpactor and runs the side-by-side benchmarks; prints their tables.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh python3 redis-server redis-tools >/dev/null
echo "## shared memory"
build/bench/bench_shm --python bench/python_baseline.py
echo
echo "## server process (Manager) vs Python Manager and Redis"
build/bench/bench_manager --python bench/python_baseline.py
echo
echo "## load: 32 client processes x 5,000 mixed ops on one manager vs Python BaseManager"
build/bench/bench_load --python bench/load_baseline.py
echo
echo "## word_count: 1, 2 and 4 worker processes vs the single-process count"
build/bench/bench_word_count
