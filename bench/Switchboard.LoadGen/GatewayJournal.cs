using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Switchboard.LoadGen;

/// <summary>
/// Reads the gateway's own barge-in latency from its journal (the SQLite database the gateway writes): every
/// <c>BargeIn</c> event carries <c>clear_us</c>, measured inside the gateway from <c>speech_started</c> received
/// to the carrier <c>clear</c> sent (the definition). Each call takes only the events stored since the
/// previous call, so each step counts its own.
/// </summary>
internal static partial class GatewayJournal
{
    private static readonly Dictionary<string, long> LastRowId = new(StringComparer.Ordinal);

    public static async Task<LatencySummary> TakeClearLatenciesAsync(string dataDir, CancellationToken token)
    {
        // The journal is written by a background writer; give it a moment after the calls ended.
        await Task.Delay(1000, token);
        var ticks = new List<long>();
        var path = Path.Combine(dataDir, "switchboard.db");
        if (!File.Exists(path))
        {
            // The null relay keeps no journal.
            return LatencySummary.FromTicks(ticks);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(token);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT rowid, body FROM call_events WHERE type = 'BargeIn' AND rowid > @last ORDER BY rowid";
        var last = LastRowId.GetValueOrDefault(dataDir);
        cmd.Parameters.AddWithValue("@last", last);
        await using var reader = await cmd.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            last = Math.Max(last, reader.GetInt64(0));
            LastRowId[dataDir] = last;
            if (ClearUs().Match(reader.GetString(1)) is { Success: true } m)
            {
                var micros = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                ticks.Add((long)(micros * Stopwatch.Frequency / 1_000_000));
            }
        }

        return LatencySummary.FromTicks(ticks);
    }

    [GeneratedRegex("\"clear_us\":\"([0-9.]+)\"")]
    private static partial Regex ClearUs();
}
