#!/usr/bin/env bash
# Builds mpactor and runs the tutorial's examples in order, saying which part
# of the tutorial (docs/tutorial.md) each one shows.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null

run() {
  local title=$1; shift
  printf '\n=== %s\n$ %s\n' "$title" "$*"
  "$@"
}

run "1. Shared memory, Value: the counter pitfall (val.value += 1) and its fixes" \
    build/examples/value_counter
run "1. Shared memory, Value and Array: the showdate/updater example" \
    build/examples/value_array
run "1. Shared memory by name: two unrelated programs share a Value and an Array" \
    build/examples/named_value
run "2. Server process, Namespace: the nested-mutation pitfall, the fix, nested proxies" \
    build/examples/namespace_nested
run "2. Server process, custom types: MyManager.register('Maths', MathsClass)" \
    build/examples/maths_manager
run "2. Server process: a tour of every SyncManager type across processes" \
    build/examples/manager_tour
run "2. Server process, remote sharing: a server node, producer and consumer nodes" \
    build/examples/distributed_queue
run "2. Server process, Python clients: Python workers and a C++ worker share a JoinableQueue and a dict" \
    build/examples/python_workers examples/python_workers/worker.py
run "3. Actors: word_count, worker processes as CAF actors merging on the manager node" \
    build/examples/word_count /usr/share/common-licenses --workers 2
