using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;
using Switchboard.Journal;
using Switchboard.Server;
using Switchboard.Storage;

namespace Switchboard.Benchmarks;

/// <summary>
/// Measures what the mark spacing buys: for each <c>Bridge:MarkIntervalMs</c>, barge-in calls against the
/// local echo agent through an emulated carrier (with a jitter buffer), comparing the gateway's truncation
/// point with what the carrier really played, and counting outbound messages per second of agent audio.
/// Run: <c>dotnet run -c Release --project bench/Switchboard.Benchmarks -- ledger</c>.
/// </summary>
internal static class LedgerPrecision
{
    public static async Task RunAsync()
    {
        int[] intervals = [20, 50, 100, 200, 500];
        (string Name, double Pace)[] paces = [("real-time", 1.0), ("burst", 0)];
        Console.WriteLine("| backend pacing | mark interval | outbound msgs per s of agent audio | truncation error mean | max | runs |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (paceName, pace) in paces)
        {
            foreach (var interval in intervals)
            {
                var errors = new List<double>();
                double messages = 0, audioMs = 0;
                foreach (var delay in new[] { 60.0, 250.0 })
                {
                    for (var rep = 0; rep < 2; rep++)
                    {
                        var (error, msgs, played) = await OneCallAsync(interval, pace, delay);
                        if (error is { } e)
                        {
                            errors.Add(e);
                        }

                        messages += msgs;
                        audioMs += played;
                    }
                }

                var rate = audioMs > 0 ? messages / (audioMs / 1000) : 0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {paceName} | {interval} ms | {rate:0.0} | {(errors.Count > 0 ? errors.Average() : double.NaN):0.0} ms | {(errors.Count > 0 ? errors.Max() : double.NaN):0.0} ms | {errors.Count} |"));
            }
        }
    }

    private static async Task<(double? Error, int Messages, double AudioMs)> OneCallAsync(int markIntervalMs, double pace, double playoutDelayMs)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "switchboard-ledger", Guid.NewGuid().ToString("N"));
        var app = GatewayApp.Build(GatewayApp.CreateBuilder(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string?>
        {
            ["Switchboard:Storage:SqlitePath"] = Path.Combine(dataDir, "switchboard.db"),
            ["Switchboard:Backend:Kind"] = "Local",
            ["Switchboard:Bridge:MarkIntervalMs"] = markIntervalMs.ToString(CultureInfo.InvariantCulture),
            ["Switchboard:Bridge:FirstChunkMs"] = Math.Min(20, markIntervalMs).ToString(CultureInfo.InvariantCulture),
            ["Switchboard:Local:PaceFactor"] = pace.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await app.StartAsync();
        try
        {
            var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var result = await CallSimulator.RunAsync(new SimulationOptions
            {
                Url = "ws" + baseUrl["http".Length..] + "/twilio",
                CallerAudio = new WavAudio(SimulationAudio.TestSpeech(8000, 2000), 8000),
                BargeInAudio = new WavAudio(SimulationAudio.TestSpeech(8000, 600), 8000),
                BargeInAtSeconds = [3.7],
                PlayoutDelayMs = playoutDelayMs,
                TailSeconds = 1.5,
            });
            var journal = app.Services.GetRequiredService<ICallJournal>();
            await journal.FlushAsync(CancellationToken.None);
            var callId = (await app.Services.GetRequiredService<IStore>().ListCallsAsync(null, 0, 1, CancellationToken.None)).Items[0].Id;
            var events = await journal.ReadAsync(callId, CancellationToken.None);
            var bargeIn = events.FirstOrDefault(e => e.Type == CallEventType.BargeIn);
            var interrupted = result.Turns.FirstOrDefault(t => t.Interrupted);
            double? error = bargeIn?.HeardMs is { } heard && interrupted is not null ? Math.Abs(heard - interrupted.PlayedMs) : null;
            // Per second of agent audio the gateway sent (μ-law: 8 bytes per ms), media and mark messages together.
            var sentMs = result.ReceivedMedia.Sum(f => f.DecodedBytes) / 8.0;
            return (error, result.ReceivedMedia.Count + result.Marks.Count, sentMs);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
