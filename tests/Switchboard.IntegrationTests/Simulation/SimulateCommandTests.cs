using System.CommandLine;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Cli.Commands;

namespace Switchboard.IntegrationTests.Simulation;

public sealed class SimulateCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("switchboard-sim-").FullName;
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        _stdout.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public async Task Simulate_WithFiles_PrintsTimelineAndWritesWavAndJson()
    {
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            var start = await s.ReceiveUntilAsync("start", ct);
            var sid = start.Root.GetProperty("streamSid").GetString();
            Assert.Equal("acme", start.Root.GetProperty("start").GetProperty("customParameters").GetProperty("tenant").GetString());
            await s.SendMediaAsync(TestAudio.MuLawTone(300), sid);
            await s.SendMarkAsync("greeting", sid);
            await s.DrainAsync(ct);
        });

        // A 16 kHz caller file exercises the resampling to the 8 kHz stream.
        var wav = Path.Combine(_dir, "caller.wav");
        WavFile.Write(wav, ToneGenerator.Tone(16000, 500, 300), 16000);
        var outWav = Path.Combine(_dir, "agent.wav");
        var json = Path.Combine(_dir, "call.json");

        var exit = await RunAsync(
            "simulate", "--url", gateway.WsUrl("/twilio"), "--wav", wav, "--speed", "4", "--tail", "3", "--lead-in", "0.1",
            "--param", "tenant=acme", "--dtmf", "9@0.2", "--barge-in-at", "0.8", "--out", outWav, "--json", json, "--verbose");

        Assert.True(exit == 0, _stderr.ToString() + _stdout);
        var text = _stdout.ToString();
        Assert.Contains("Caller audio: caller.wav, 300 ms at 16000 Hz", text, StringComparison.Ordinal);
        Assert.Contains("caller speech 1 started", text, StringComparison.Ordinal);
        Assert.Contains("barge-in 1 started", text, StringComparison.Ordinal);
        Assert.Contains("DTMF '9' sent", text, StringComparison.Ordinal);
        Assert.Contains("mark \"greeting\" echoed", text, StringComparison.Ordinal);
        Assert.Contains("Summary", text, StringComparison.Ordinal);
        Assert.Contains("1000 NormalClosure", text, StringComparison.Ordinal);

        var heard = WavFile.Read(outWav);
        Assert.Equal(8000, heard.SampleRate);
        Assert.Equal(8 * 4100, heard.Samples.Length); // 0.1 s lead-in, barge-in 0.8-1.1 s, 3 s tail

        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var root = report.RootElement;
        Assert.Equal("twilio", root.GetProperty("carrier").GetString());
        Assert.Equal(1, root.GetProperty("metrics").GetProperty("marksEchoed").GetInt32());
        Assert.Equal(1, root.GetProperty("metrics").GetProperty("bargeIns").GetInt32());
        Assert.Equal(205, root.GetProperty("metrics").GetProperty("mediaFramesSent").GetInt32());
        Assert.Equal(1000, root.GetProperty("close").GetProperty("code").GetInt32());
        Assert.Contains(root.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("kind").GetString() == "dtmfSent");
    }

    [Fact]
    public async Task Simulate_MissingWav_FailsWithAClearMessage()
    {
        var exit = await RunAsync("simulate", "--wav", Path.Combine(_dir, "nope.wav"));
        Assert.Equal(1, exit);
        Assert.Contains("caller WAV file", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("not found", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_BadOptions_ReportsEveryProblem()
    {
        var exit = await RunAsync("simulate", "--url", "http://example.com", "--carrier", "telnyx", "--codec", "PCMA", "--rate", "16000", "--speed", "0");
        Assert.Equal(1, exit);
        var errors = _stderr.ToString();
        Assert.Contains("not a WebSocket URL", errors, StringComparison.Ordinal);
        Assert.Contains("16000 with L16", errors, StringComparison.Ordinal);
        Assert.Contains("speed 0", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_SignatureRejected_SaysSo()
    {
        await using var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct), reject: c => c.Request.Headers.ContainsKey("X-Twilio-Signature") ? 403 : null);
        var exit = await RunAsync("simulate", "--url", gateway.WsUrl("/twilio"), "--auth-token", "wrong");
        Assert.Equal(1, exit);
        Assert.Contains("gateway rejected the signature", _stderr.ToString(), StringComparison.Ordinal);
    }

    private Task<int> RunAsync(params string[] args)
    {
        var root = new RootCommand { SimulateCommand.Create() };
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = _stdout, Error = _stderr }).WaitAsync(Timeout);
    }
}
