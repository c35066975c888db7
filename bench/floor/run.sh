#!/usr/bin/env bash
# Builds relayfloor, then for each call count starts a fresh relay, runs the peers against it and stops it;
# prints each run's report, the relay's syscall counters and a summary table.
#
#   bash bench/floor/run.sh [--seconds S] [--warmup W] [--port P] [CALLS ...]
#
# CALLS defaults to 200, S (measured seconds per run) to 15, W (warm-up seconds) to 2, P to 47311.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds=15
warmup=2
port=47311
calls=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --warmup) warmup="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *[!0-9]*|'') echo "run.sh: unexpected argument '$1'" >&2; exit 2 ;;
        *) calls+=("$1"); shift ;;
    esac
done
[[ ${#calls[@]} -gt 0 ]] || calls=(200)

mkdir -p "$here/bin"
gcc -O2 -Wall -Wextra -std=c11 -o "$here/bin/relayfloor" "$here/relayfloor.c"
bin="$here/bin/relayfloor"

relay_pid=""
stop_relay() {
    if [[ -n "$relay_pid" ]]; then
        kill -TERM "$relay_pid" 2>/dev/null || true
        wait "$relay_pid" 2>/dev/null || true
        relay_pid=""
    fi
}
trap stop_relay EXIT

log="$(mktemp)"
json_lines=()
status=0
for n in "${calls[@]}"; do
    echo "== $n calls, ${seconds} s measured after ${warmup} s warm-up"
    "$bin" relay --port "$port" 2>"$log" &
    relay_pid=$!
    for _ in $(seq 50); do
        ss -Hltn "sport = :$port" | grep -q . && break
        kill -0 "$relay_pid" 2>/dev/null || { cat "$log" >&2; exit 2; }
        sleep 0.1
    done
    set +e
    out="$("$bin" peers --port "$port" --calls "$n" --seconds "$seconds" --warmup "$warmup" --relay-pid "$relay_pid")"
    rc=$?
    set -e
    echo "$out"
    [[ $rc -eq 0 ]] || status=1
    stop_relay
    grep -v 'listening on' "$log" || true
    json_lines+=("$(grep '^{' <<<"$out" || true)")
    echo
done
rm -f "$log"

# Summary: one row per run, read from the JSON lines (flat objects, no nesting).
printf '%s\n' "${json_lines[@]}" | awk '
    function field(name,   m) {
        if (match($0, "\"" name "\":[^,}]*")) { m = substr($0, RSTART, RLENGTH); sub(/^[^:]*:/, "", m); return m }
        return "?"
    }
    BEGIN {
        printf "%6s %8s %11s %9s %14s %9s %10s %9s %8s\n", "calls", "seconds", "msgs/call-s", "relay %", "relay ms/call-s", "user %", "KiB/call", "peers %", "delivery"
    }
    /^\{/ {
        printf "%6s %8.2f %11.1f %9.2f %14.4f %9.1f %10.2f %9.2f %8s\n", field("calls"), field("seconds"),
            field("messages_per_call_second"), field("relay_cpu_percent"), field("relay_cpu_ms_per_call_second"),
            field("relay_user_percent"), field("relay_rss_kib_per_call"), field("peers_cpu_percent"),
            field("ok") == "true" ? "OK" : "FAILED"
    }'
exit $status
