using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// Per agent turn: from the end of the caller's speech to the agent's first audio playing at the carrier,
/// split into gateway in, backend, gateway out and carrier playout. The carrier-side times come from the
/// simulation; the gateway's own times come from its journal (<c>/diagnostics/calls/by-stream/{streamId}</c>,
/// enabled with <c>Switchboard:Diagnostics:Enabled=true</c>). The backend's share is what remains, so the
/// two clocks never need to agree.
/// </summary>
internal static class LatencyBudget
{
    /// <summary>One turn's budget, in ms.</summary>
    internal sealed record Row(int Turn, double TotalMs, double GatewayInMeanMs, double GatewayInMaxMs, double BackendMs, double? BackendAfterSpeechStoppedMs, double GatewayOutMs, double PlayoutMs);

    public static async Task<IReadOnlyList<Row>?> FetchAsync(string webSocketUrl, SimulationResult result, TextWriter error, CancellationToken cancellationToken)
    {
        var ws = new Uri(webSocketUrl);
        var http = new UriBuilder(ws) { Scheme = ws.Scheme == "wss" ? "https" : "http", Path = "/diagnostics/calls/by-stream/" + Uri.EscapeDataString(result.Identity.StreamId), Query = "" }.Uri;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        JsonElement body;
        try
        {
            using var response = await client.GetAsync(http, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"latency budget: {http} answered {(int)response.StatusCode}; start the gateway with --Switchboard:Diagnostics:Enabled=true");
                return null;
            }

            body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            error.WriteLine($"latency budget: {http}: {ex.Message}");
            return null;
        }

        var timings = body.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "ResponseTiming")
            .Select(e => e.GetProperty("data"))
            .ToList();
        return Build(result, timings);
    }

    internal static IReadOnlyList<Row> Build(SimulationResult result, IReadOnlyList<JsonElement> timings)
    {
        var rows = new List<Row>();
        var speech = result.CallerSpeech.OrderBy(s => s.EndMs).ToList();
        var turns = result.Turns.OrderBy(t => t.StartMs).ToList();
        var timingIndex = 0;
        foreach (var turn in turns)
        {
            // The timing records are per agent item, in order; a turn answers the caller speech that ended before it.
            var timing = timingIndex < timings.Count ? timings[timingIndex++] : default;
            var before = speech.LastOrDefault(s => s.EndMs <= turn.StartMs);
            if (before is null || timing.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var firstReceived = result.ReceivedMedia.Where(m => m.ArrivalMs >= before.EndMs && m.ArrivalMs <= turn.StartMs).Select(m => m.ArrivalMs).DefaultIfEmpty(turn.StartMs).Min();
            var total = turn.StartMs - before.EndMs;
            var inMean = Us(timing, "gateway_in_mean_us") / 1000;
            var inMax = Us(timing, "gateway_in_max_us") / 1000;
            var outMs = Us(timing, "gateway_out_us") / 1000;
            double? afterStopped = timing.TryGetProperty("backend_ms", out var b) ? double.Parse(b.GetString()!, CultureInfo.InvariantCulture) : null;
            var playout = turn.StartMs - firstReceived;
            rows.Add(new Row(rows.Count + 1, total, inMean, inMax, Math.Max(0, firstReceived - before.EndMs - inMean - outMs), afterStopped, outMs, playout));
        }

        return rows;
    }

    public static void Write(TextWriter output, IReadOnlyList<Row> rows)
    {
        output.WriteLine();
        output.WriteLine("Latency budget (caller speech end → agent audio playing at the carrier)");
        output.WriteLine("  turn      total   gateway in (mean/max)        backend (after speech_stopped)   gateway out   carrier playout");
        foreach (var r in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Turn,4} {r.TotalMs,8:0} ms   {r.GatewayInMeanMs,6:0.000} / {r.GatewayInMaxMs,6:0.000} ms   {r.BackendMs,8:0} ms ({(r.BackendAfterSpeechStoppedMs is { } a ? a.ToString("0", CultureInfo.InvariantCulture) + " ms" : "n/a"),8})   {r.GatewayOutMs,8:0.000} ms   {r.PlayoutMs,8:0} ms"));
        }

        if (rows.Count == 0)
        {
            output.WriteLine("  (no agent turn followed caller speech)");
        }
    }

    private static double Us(JsonElement data, string name) =>
        data.TryGetProperty(name, out var v) && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;
}
