using System.Diagnostics;

namespace Switchboard.LoadGen;

/// <summary>Percentiles of one latency series, in milliseconds.</summary>
internal sealed record LatencySummary(int Count, double P50Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0);

    /// <summary>Summarises Stopwatch tick durations (the list is sorted in place).</summary>
    public static LatencySummary FromTicks(List<long> ticks)
    {
        if (ticks.Count == 0)
        {
            return Empty;
        }

        ticks.Sort();
        return new LatencySummary(ticks.Count, ToMs(Percentile(ticks, 0.50)), ToMs(Percentile(ticks, 0.99)), ToMs(ticks[^1]));
    }

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    // Nearest-rank percentile.
    private static long Percentile(List<long> sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
