using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.LoadGen;

/// <summary>
/// Reads the gateway's own barge-in latency from its journal: every <c>BargeIn</c> event carries
/// <c>clear_us</c>, measured inside the gateway from <c>speech_started</c> received to the carrier
/// <c>clear</c> sent (the definition). Files are deleted once read so each step counts its own.
/// </summary>
internal static partial class GatewayJournal
{
    public static async Task<LatencySummary> TakeClearLatenciesAsync(string dataDir, CancellationToken token)
    {
        // The journal is written by a background writer; give it a moment after the calls ended.
        await Task.Delay(1000, token);
        var ticks = new List<long>();
        foreach (var file in Directory.EnumerateFiles(dataDir, "*.jsonl").ToList())
        {
            foreach (var line in await File.ReadAllLinesAsync(file, token))
            {
                if (line.Contains("\"type\":\"BargeIn\"", StringComparison.Ordinal) && ClearUs().Match(line) is { Success: true } m)
                {
                    var micros = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                    ticks.Add((long)(micros * Stopwatch.Frequency / 1_000_000));
                }
            }

            File.Delete(file);
        }

        return LatencySummary.FromTicks(ticks);
    }

    [GeneratedRegex("\"clear_us\":\"([0-9.]+)\"")]
    private static partial Regex ClearUs();
}
