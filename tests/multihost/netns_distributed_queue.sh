#!/usr/bin/env bash
# Multi-host test: distributed_queue across network namespaces -- a server
# host and two worker hosts, each on its own veth link -- then a cut link.
#
#   netns_distributed_queue.sh PATH/TO/distributed_queue
#
# Only the namespaces' own addresses (10.213.1.0/24, 10.213.2.0/24, made
# here and removed at exit) are used. Exits 77 (skipped) with a message where
# namespaces cannot be made (not root, no iproute2).
set -euo pipefail
exe=$(readlink -f "$1")
id=$$
srv=mpsrv$id w1=mpw1$id w2=mpw2$id
work=$(mktemp -d)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for ns in "$srv" "$w1" "$w2"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if ! ip netns add "$srv" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces here (needs root and iproute2)"
  exit 77
fi
ip netns add "$w1"
ip netns add "$w2"
link() { # link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
  ip link add "$2" type veth peer name "$5"
  ip link set "$2" netns "$1"
  ip link set "$5" netns "$4"
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$4" addr add "$6/24" dev "$5"
  ip -n "$1" link set "$2" up
  ip -n "$4" link set "$5" up
}
for ns in "$srv" "$w1" "$w2"; do ip -n "$ns" link set lo up; done
link "$srv" s1$id 10.213.1.1 "$w1" w1$id 10.213.1.2
link "$srv" s2$id 10.213.2.1 "$w2" w2$id 10.213.2.2

export MPACTOR_AUTHKEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=47311

# Waits (bounded) until FILE holds a line matching PATTERN.
wait_line() {
  for _ in $(seq 1 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.025
  done
  echo "FAIL: no '$2' in $1:"; cat "$1"; exit 1
}

ip netns exec "$srv" "$exe" server 0.0.0.0 $port > "$work/server.out" 2>&1 &
pids+=($!)
wait_line "$work/server.out" "serving on"
echo "server host: $(cat "$work/server.out")"

ip netns exec "$w2" "$exe" consumer 10.213.2.1 $port worker-2 > "$work/consumer.out" 2>&1 &
consumer=$!
pids+=($consumer)
ip netns exec "$w1" "$exe" producer 10.213.1.1 $port 20 1 > "$work/producer.out" 2>&1
cat "$work/producer.out"
grep -q "producer: 20 jobs done" "$work/producer.out"
grep -q "used by worker-2" "$work/producer.out"
wait "$consumer"
echo "worker hosts: producer on 10.213.1.2 and consumer on 10.213.2.2 are done"

# Cut the second worker's link while a call of its waits in the server.
ip netns exec "$w2" "$exe" waiter 10.213.2.1 $port > "$work/waiter.out" 2>&1 &
waiter=$!
pids+=($waiter)
wait_line "$work/waiter.out" "waiter: waiting"
cut_at=$(date +%s%N)
ip -n "$w2" link set w2$id down
set +e
wait "$waiter"
rc=$?
set -e
elapsed_ms=$(( ($(date +%s%N) - cut_at) / 1000000 ))
cat "$work/waiter.out"
if [ "$rc" -ne 3 ] || ! grep -q "ConnectionError" "$work/waiter.out"; then
  echo "FAIL: the waiter did not get ConnectionError (exit $rc)"; exit 1
fi
# The bound the README states: about 1.5 s of silence (pings every 0.5 s),
# at most 3 s on a loaded machine.
if [ "$elapsed_ms" -gt 3000 ]; then
  echo "FAIL: ConnectionError came $elapsed_ms ms after the cut (bound 3000)"; exit 1
fi
echo "cut link: ConnectionError $elapsed_ms ms after the link went down"
echo "PASS"
