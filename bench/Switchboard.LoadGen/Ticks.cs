using System.Diagnostics;

namespace Switchboard.LoadGen;

/// <summary>One high-resolution clock for both ends of the gateway.</summary>
internal static class Ticks
{
    public static long Now => Stopwatch.GetTimestamp();

    public static long FromMs(double ms) => (long)(ms * Stopwatch.Frequency / 1000.0);
}
