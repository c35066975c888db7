#!/usr/bin/env bash
# System calls per relayed message, in the gateway or the Node peer: runs one load-generator step and, from
# 6 s into it, counts the relay process's system calls with `perf stat` for 5 s.
#   bash bench/syscalls.sh [calls=200] [load generator options…]      e.g. --gateway-env Switchboard__Performance__InlineIo=true
# With --peer among the options it counts the gateway's step and then the peer's. Needs perf with tracepoint access
# (root or kernel.perf_event_paranoid ≤ -1). Per call-second each relay receives ~100 messages and sends ~110.
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-200}"; [ $# -gt 0 ] && shift
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll
events=raw_syscalls:sys_enter,context-switches,syscalls:sys_enter_recvfrom,syscalls:sys_enter_read,syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg,syscalls:sys_enter_writev,syscalls:sys_enter_write,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_futex
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet "$loadgen" --ramp "$calls" --seconds 16 --barge-in-every 6 --fresh-gateway --max-p99-ms 100000 --max-lag-ms 100000 \
  --json artifacts/syscalls.json "$@" > "$log" 2>&1 &
loadgen_pid=$!
seen=0
while kill -0 "$loadgen_pid" 2>/dev/null; do
  # A step starts when the load generator names the step after the relay's pid; count each relay once.
  steps=$(grep -c '^step: ' "$log" || true)
  if [ "$steps" -gt "$seen" ]; then
    seen=$steps
    pid=$(grep -oE '(gateway|switchboard|node) pid [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    relay=$(grep -oE '(gateway|switchboard|node) pid [0-9]+' "$log" | tail -1 | cut -d' ' -f1)
    sleep 6
    echo "== $relay (pid $pid), $calls calls, 5 s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    perf stat -x, -e "$events" -p "$pid" -- sleep 5 2>&1 | awk -F, -v calls="$calls" '
      $1 ~ /^[0-9]+$/ { printf "  %-34s %10d  %6.2f per call-second\n", $3, $1, $1 / (calls * 5) }'
  fi
  sleep 0.2
done
wait "$loadgen_pid" || true
grep -E '^\| [0-9]+ \| ' "$log" | head -3
