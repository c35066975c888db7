using System.CommandLine;
using System.Diagnostics;
using Switchboard.Audio;
using Switchboard.Cli.Commands;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>
/// The README's promise, end to end: `switchboard simulate` plays a spoken WAV (made by espeak-ng, as a
/// developer would) into a real gateway on the local backend, and writes back an audible echo; a barge-in
/// shows in the timeline. .ci/run installs espeak-ng.
/// </summary>
public sealed class SpokenCallTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("switchboard-spoken-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Speak(string text)
    {
        var path = Path.Combine(_dir, "caller.wav");
        using var espeak = Process.Start(new ProcessStartInfo("espeak-ng", ["-w", path, text]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("espeak-ng did not start");
        espeak.WaitForExit(20_000);
        Assert.Equal(0, espeak.ExitCode);
        return path;
    }

    [Fact]
    public async Task SimulateCommand_SpokenWav_EchoIsAudibleAndBargeInIsInTheTimeline()
    {
        var caller = Speak("Hello, I would like to check the status of my order please.");
        var spoken = WavFile.Read(caller);
        await using var gateway = await GatewayFixture.StartAsync();
        var outWav = Path.Combine(_dir, "agent.wav");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var root = new RootCommand { SimulateCommand.Create() };
        var exit = await root.Parse(["simulate", "--url", gateway.WebSocketUrl("/twilio"), "--wav", caller, "--out", outWav, "--barge-in-at", "6", "--tail", "3"])
            .InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr })
            .WaitAsync(TimeSpan.FromSeconds(60));

        var timeline = stdout.ToString();
        Assert.True(exit == 0, stderr.ToString() + timeline);
        Assert.Contains("first agent audio played", timeline, StringComparison.Ordinal);
        Assert.Contains("barge-in 1 started", timeline, StringComparison.Ordinal);
        Assert.Contains("interrupted by clear", timeline, StringComparison.Ordinal);
        Assert.Matches(@"stale media\s+0", timeline);

        // The caller heard their own words back: a loud stretch about as long as the speech they sent.
        var heard = WavFile.Read(outWav);
        Assert.Equal(8000, heard.SampleRate);
        var speechMs = spoken.Samples.Length * 1000 / spoken.SampleRate;
        Assert.InRange(CallTestAudio.LoudMs(heard.Samples), speechMs / 3, speechMs * 3);

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Contains(events, e => e.Type == CallEventType.CallerTurn && e.Text!.EndsWith("s of speech)", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Interrupted == true);
    }

    [Fact]
    public async Task SimulateCommand_Budget_SplitsEachTurnIntoGatewayBackendAndPlayout()
    {
        var caller = Speak("Where is my order?");
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Diagnostics:Enabled"] = "true" });
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { SimulateCommand.Create() };
        var exit = await root.Parse(["simulate", "--url", gateway.WebSocketUrl("/twilio"), "--wav", caller, "--tail", "3", "--budget"])
            .InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr })
            .WaitAsync(TimeSpan.FromSeconds(60));

        var text = stdout.ToString();
        Assert.True(exit == 0, stderr.ToString() + text);
        Assert.Contains("Latency budget", text, StringComparison.Ordinal);
        // One row for the echo turn: total ≈ the backend's end-of-turn silence (500 ms) plus small gateway shares and playout.
        var row = text.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("1 ", StringComparison.Ordinal));
        var total = double.Parse(row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(total, 400, 2000);
        var events = await gateway.WaitForEndedCallAsync();
        var timing = Assert.Single(events, e => e.Type == CallEventType.ResponseTiming);
        Assert.True(double.Parse(timing.Data!["gateway_out_us"], System.Globalization.CultureInfo.InvariantCulture) < 50_000);
        Assert.True(long.Parse(timing.Data["frames_in"], System.Globalization.CultureInfo.InvariantCulture) > 10);
    }

    [Fact]
    public async Task DiagnosticsRuntime_Enabled_ReportsLiveBytesAfterFullAndReleasingCollections()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Diagnostics:Enabled"] = "true" });
        using var http = new HttpClient();

        foreach (var query in new[] { "", "?gc=full", "?gc=release" })
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(gateway.BaseUrl + "/diagnostics/runtime" + query));
            var root = doc.RootElement;
            Assert.True(root.GetProperty("managedBytes").GetInt64() > 100_000, query);
            Assert.True(root.GetProperty("committedBytes").GetInt64() >= root.GetProperty("managedBytes").GetInt64() / 2, query);
            Assert.True(root.GetProperty("threads").GetInt32() > 1, query);
        }

        // A full collection counts as a gen2 collection.
        using var before = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(gateway.BaseUrl + "/diagnostics/runtime"));
        using var after = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(gateway.BaseUrl + "/diagnostics/runtime?gc=release"));
        Assert.True(after.RootElement.GetProperty("gen2Collections").GetInt32() > before.RootElement.GetProperty("gen2Collections").GetInt32());
    }

    [Fact]
    public async Task DiagnosticsRuntime_DisabledByDefault_Is404()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.BaseUrl + "/diagnostics/runtime?gc=full");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Diagnostics_DisabledByDefault_Is404()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.BaseUrl + "/diagnostics/calls/by-stream/MZ123");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
