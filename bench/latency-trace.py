#!/usr/bin/env python3
"""Reads a load generator latency trace (--latency-trace DIR) and tells where the slow frames are.

For each direction: the p50/p99, then how the frames over a threshold are spread in time (10 ms windows of send
time) and over calls. Slow frames bunched in a few windows, across most calls, point at a pause of a whole
process (GC, scheduling, a burst of timers); slow frames spread evenly point at queueing behind neighbours.

usage: python3 bench/latency-trace.py FILE.csv [--over-ms 5]
"""
import csv
import sys
from collections import Counter


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    over = 5.0
    if "--over-ms" in args:
        i = args.index("--over-ms")
        over = float(args[i + 1])
        del args[i:i + 2]
    rows = list(csv.DictReader(open(args[0])))
    calls = len({r["call"] for r in rows})
    print(f"{args[0]}: {len(rows)} frames, {calls} calls")
    for direction in ("inbound_ms", "outbound_ms"):
        values = [float(r[direction]) for r in rows]
        slow = [r for r in rows if float(r[direction]) > over]
        print(f"\n{direction}: p50 {percentile(values, 50):.2f} p99 {percentile(values, 99):.2f} p99.9 {percentile(values, 99.9):.2f} "
              f"max {max(values):.2f}; {len(slow)} frames over {over} ms ({100.0 * len(slow) / max(1, len(rows)):.2f} %)")
        if not slow:
            continue
        windows = Counter(int(float(r["sent_ms"]) // 10) for r in slow)
        per_window = Counter(int(float(r["sent_ms"]) // 10) for r in rows)
        top = windows.most_common(8)
        covered = sum(n for _, n in windows.most_common(max(1, len(windows) // 10)))
        print(f"  in {len(windows)} of {len(per_window)} 10-ms windows; the busiest tenth of those windows holds {100.0 * covered / len(slow):.0f} % of them")
        for window, n in top:
            worst = max(float(r[direction]) for r in slow if int(float(r["sent_ms"]) // 10) == window)
            print(f"    at {window * 10:>6} ms: {n} of {per_window[window]} frames slow, worst {worst:.1f} ms")
        by_call = Counter(r["call"] for r in slow)
        print(f"  spread over {len(by_call)} of {calls} calls; most in one call: {by_call.most_common(1)[0][1]}")
        gaps = sorted(windows)
        if len(gaps) > 2:
            diffs = Counter(b - a for a, b in zip(gaps, gaps[1:]) if b - a > 1)
            if diffs:
                print("  most common gaps between slow windows (x10 ms): " + ", ".join(f"{d}: {n}" for d, n in diffs.most_common(5)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
