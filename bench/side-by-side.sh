#!/usr/bin/env bash
# docs/performance.md's opening table in one command: Switchboard against the Node.js reference peer (bench/peer-node),
# alternating per step and round, the C floor (bench/floor) at the same call counts, and the transcoding path (PCM 24 kHz
# backend) and browser sessions (/ws/session, PCM16 24 kHz); then prints the markdown tables. About 13 minutes with the defaults on a 2-core machine.
#   bash bench/side-by-side.sh [--calls 50,200,400] [--rounds 2] [--seconds 15] [--no-build]
# Raw figures go to artifacts/side-by-side/ (LoadGen JSON and text, the floor's output).
set -euo pipefail
cd "$(dirname "$0")/.."
calls=50,200,400
rounds=2
seconds=15
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --calls) calls="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "side-by-side.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

out=artifacts/side-by-side
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.txt
loadgen=bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll
if [ "$build" = 1 ]; then
  dotnet build -c Release -v quiet --nologo >/dev/null
fi

# The same relay options everywhere: a speech turn every 6 s, figures kept even when a tail is long (read them, do not stop).
common=(--seconds "$seconds" --barge-in-every 6 --max-p99-ms 100000 --max-lag-ms 100000)
started=$(date -u +%s)
{
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' (modified)'), $(nproc) cores, $(dotnet --version 2>/dev/null | head -1) SDK"
  echo "start $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

echo "1/4 Switchboard and the Node peer, $calls calls, $rounds rounds, ${seconds} s each…" >&2
dotnet "$loadgen" --peer --ramp "$calls" --rounds "$rounds" "${common[@]}" --json "$out/peer.json" > "$out/peer.txt" 2>&1
echo "   load average now $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "2/4 the C floor…" >&2
bash bench/floor/run.sh --seconds "$seconds" ${calls//,/ } > "$out/floor.txt" 2>&1 || echo "   (the floor reported a failed run; see $out/floor.txt)" >&2

echo "3/4 transcoding path (PCM 24 kHz backend)…" >&2
# One LoadGen run per count: frame ids do not survive resampling, so every frame counts as lost, which ends a ramp.
for n in ${calls//,/ }; do
  dotnet "$loadgen" --ramp "$n" --fresh-gateway "${common[@]}" --gateway-env Switchboard__Agent__AudioFormat=pcm24 \
    --json "$out/pcm24-$n.json" > "$out/pcm24-$n.txt" 2>&1 || true
done
echo "4/4 browser sessions (/ws/session), $calls calls, $rounds rounds…" >&2
# Sessions have no Node counterpart (the peer speaks Twilio only); a fresh gateway per step, as for the rows above.
for r in $(seq 1 "$rounds"); do
  dotnet "$loadgen" --channel session --ramp "$calls" --fresh-gateway "${common[@]}" \
    --json "$out/session-$r.json" > "$out/session-$r.txt" 2>&1 || true
done
echo "end $(date -u '+%Y-%m-%d %H:%M:%S UTC') ($(( ($(date -u +%s) - started) / 60 )) min), load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
print("\n".join(open(os.path.join(out, "machine.txt")).read().splitlines()))
peer = json.load(open(os.path.join(out, "peer.json")))["steps"]
floor = {}
for line in open(os.path.join(out, "floor.txt")):
    if line.startswith("{"):
        row = json.loads(line)
        floor[row["calls"]] = row

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def f(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"

def rng(values, digits=2):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    return f"{lo:.{digits}f}" if f"{lo:.{digits}f}" == f"{hi:.{digits}f}" else f"{lo:.{digits}f}–{hi:.{digits}f}"

print()
print("| calls | relay | CPU ms per call-s (audio) | kernel share | RSS per call KiB, fresh (peak − idle) | idle RSS MiB | inbound p99 ms | outbound p99 ms | frames lost / reordered | load-gen lag p99 ms |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
counts = sorted({s["calls"] for s in peer})
ratios = []
for n in counts:
    for relay in ("switchboard", "node"):
        rows = [s for s in peer if s["calls"] == n and s["relay"] == relay]
        if not rows:
            continue
        lost = sum(s["frames_lost"] for s in rows)
        reordered = sum(s["reordered"] for s in rows)
        print(f"| {n} | {relay} | {rng([s['gateway_cpu_ms_per_audio_second'] for s in rows])} | {rng([100 * s['gateway_system_cpu_share'] for s in rows], 0)} % "
              f"| {rng([s['gateway_rss_kib_per_call'] for s in rows], 0)} | {rng([s['gateway_rss_idle_kib'] / 1024 for s in rows], 0)} "
              f"| {rng([s['inbound']['p99_ms'] for s in rows])} | {rng([s['outbound']['p99_ms'] for s in rows])} | {lost} / {reordered} "
              f"| {rng([s['scheduler_lateness']['p99_ms'] for s in rows], 1)} |")
    fl = floor.get(n)
    if fl:
        print(f"| {n} | C floor | {fl['relay_cpu_ms_per_call_second']:.2f} | {100 - fl['relay_user_percent']:.0f} % | {fl['relay_rss_kib_per_call']:.1f} | – | – | – "
              f"| {'0' if fl['ok'] else 'FAILED'} | – |")
    sb = med([s["gateway_cpu_ms_per_audio_second"] for s in peer if s["calls"] == n and s["relay"] == "switchboard"])
    node = med([s["gateway_cpu_ms_per_audio_second"] for s in peer if s["calls"] == n and s["relay"] == "node"])
    if sb and node:
        ratios.append((n, sb / node, sb, node, fl["relay_cpu_ms_per_call_second"] if fl else None))

print()
print("| calls | Switchboard ÷ Node CPU (medians) | Switchboard ÷ C floor CPU |")
print("|---:|---:|---:|")
for n, ratio, sb, node, fl in ratios:
    print(f"| {n} | {ratio:.2f} ({sb:.2f} / {node:.2f}) | {f(sb / fl if fl else None)} |")

pcm = sorted((json.load(open(p))["steps"][0] for p in glob.glob(os.path.join(out, "pcm24-*.json"))), key=lambda s: s["calls"])
if pcm:
    print()
    print("Transcoding path (PCM 24 kHz backend; latency cannot be read, frame ids do not survive resampling):")
    print()
    print("| calls | CPU ms per call-s (audio) | kernel share | RSS per call KiB, fresh (peak − idle) | live managed KiB per call | failed calls |")
    print("|---:|---:|---:|---:|---:|---:|")
    for s in pcm:
        print(f"| {s['calls']} | {s['gateway_cpu_ms_per_audio_second']:.2f} | {100 * s['gateway_system_cpu_share']:.0f} % | {s['gateway_rss_kib_per_call']:.0f} "
              f"| {f(s.get('gateway_managed_kib_per_call'), 1)} | {s['failed_calls']} |")

sessions = [s for p in sorted(glob.glob(os.path.join(out, "session-*.json"))) for s in json.load(open(p))["steps"]]
if sessions:
    print()
    print("Browser sessions (/ws/session, voice_conversation, PCM16 24 kHz both ways, 20 ms mic pieces, playback reports every 200 ms):")
    print()
    print("| calls | CPU ms per call-s (audio) | kernel share | RSS per call KiB, fresh (peak − idle) | idle RSS MiB | live managed KiB per call | inbound p99 ms | outbound p99 ms | frames lost / reordered | interrupts / barge-ins | load-gen lag p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sorted({s["calls"] for s in sessions}):
        rows = [s for s in sessions if s["calls"] == n]
        failed = sum(s["failed_calls"] for s in rows)
        print(f"| {n}{f' ({failed} failed)' if failed else ''} | {rng([s['gateway_cpu_ms_per_audio_second'] for s in rows])} | {rng([100 * s['gateway_system_cpu_share'] for s in rows], 0)} % "
              f"| {rng([s['gateway_rss_kib_per_call'] for s in rows], 0)} | {rng([s['gateway_rss_idle_kib'] / 1024 for s in rows], 0)} | {rng([s.get('gateway_managed_kib_per_call') for s in rows], 1)} "
              f"| {rng([s['inbound']['p99_ms'] for s in rows])} | {rng([s['outbound']['p99_ms'] for s in rows])} "
              f"| {sum(s['frames_lost'] + s['frames_lost_inbound'] for s in rows)} / {sum(s['reordered'] + s['reordered_inbound'] for s in rows)} "
              f"| {sum(s['clears_received'] for s in rows)} / {sum(s['barge_ins_sent'] for s in rows)} | {rng([s['scheduler_lateness']['p99_ms'] for s in rows], 1)} |")
PY
