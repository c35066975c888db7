using System.Text;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests.Simulation;

public sealed class TelnyxSimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(8000, "PCMU", 160, 0xFF)]
    [InlineData(8000, "PCMA", 160, 0xD5)]
    [InlineData(8000, "L16", 320, 0x00)]
    [InlineData(16000, "L16", 640, 0x00)]
    public async Task Simulate_Telnyx_SendsTelnyxShapedMessages(int rate, string encoding, int frameBytes, byte silence)
    {
        var codec = Enum.Parse<MediaCodec>(encoding, ignoreCase: true);
        await using var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct));
        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/telnyx"),
            Carrier = CarrierKind.Telnyx,
            Codec = codec,
            SampleRate = rate,
            CallerAudio = TestAudio.Tone(200),
            LeadInSeconds = 0.1,
            TailSeconds = 0.1,
            Speed = 10,
            Token = "s3cret token",
            Parameters = [new("tenant", "acme"), new("agent", "support")],
            Dtmf = [new DtmfPress('#', 150)],
        }).WaitAsync(Timeout);

        var session = await gateway.FinishedSessionAsync(Timeout);
        var messages = session.Received;
        var streamId = result.Identity.StreamId;
        Assert.True(Guid.TryParse(streamId, out _));
        Assert.Equal("?token=s3cret%20token", session.Query);

        Assert.Equal("""{"event":"connected","version":"1.0.0"}""", messages[0].Text);

        var start = messages[1].Root;
        Assert.Equal("start", start.GetProperty("event").GetString());
        Assert.Equal("1", start.GetProperty("sequence_number").GetString());
        Assert.Equal(streamId, start.GetProperty("stream_id").GetString());
        var body = start.GetProperty("start");
        Assert.False(body.TryGetProperty("stream_id", out _));
        Assert.StartsWith("v3:", body.GetProperty("call_control_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(result.Identity.CallId, body.GetProperty("call_control_id").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("call_session_id").GetString(), out _));
        Assert.StartsWith("+", body.GetProperty("from").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("+", body.GetProperty("to").GetString(), StringComparison.Ordinal);
        var clientState = JsonDocument.Parse(Convert.FromBase64String(body.GetProperty("client_state").GetString()!)).RootElement;
        Assert.Equal("acme", clientState.GetProperty("tenant").GetString());
        Assert.Equal("support", clientState.GetProperty("agent").GetString());
        var mediaFormat = body.GetProperty("media_format");
        Assert.Equal(encoding, mediaFormat.GetProperty("encoding").GetString());
        Assert.Equal(rate, mediaFormat.GetProperty("sample_rate").GetInt32());
        Assert.Equal(1, mediaFormat.GetProperty("channels").GetInt32());

        var media = messages.Where(m => m.Event == "media").ToList();
        Assert.Equal(20, media.Count);
        for (var i = 0; i < media.Count; i++)
        {
            var root = media[i].Root;
            Assert.Equal(streamId, root.GetProperty("stream_id").GetString());
            Assert.Equal(JsonValueKind.String, root.GetProperty("sequence_number").ValueKind);
            Assert.Equal((i + 1).ToString(), root.GetProperty("media").GetProperty("chunk").GetString());
            Assert.Equal((i * 20).ToString(), root.GetProperty("media").GetProperty("timestamp").GetString());
            Assert.Equal(frameBytes, media[i].Payload.Length);
        }

        Assert.All(media.Take(5).Concat(media.Skip(15)), m => Assert.All(m.Payload, b => Assert.Equal(silence, b)));
        if (codec == MediaCodec.L16)
        {
            // Big-endian: decoding as such gives back the tone's level (about -15 dBFS RMS for a -12 dBFS peak).
            var frame = media[10].Payload;
            var pcm = new short[frame.Length / 2];
            Pcm16.FromBigEndian(frame, pcm);
            Assert.InRange(Pcm16.RmsDbfs(pcm), -17, -13);
        }

        var dtmf = Assert.Single(messages, m => m.Event == "dtmf").Root;
        Assert.Equal(streamId, dtmf.GetProperty("stream_id").GetString());
        Assert.Equal("#", dtmf.GetProperty("dtmf").GetProperty("digit").GetString());
        Assert.True(DateTimeOffset.TryParse(dtmf.GetProperty("occurred_at").GetString(), out _));

        var stop = messages[^1].Root;
        Assert.Equal("stop", stop.GetProperty("event").GetString());
        Assert.Equal(streamId, stop.GetProperty("stream_id").GetString());
        Assert.Equal(result.Identity.CallId, stop.GetProperty("stop").GetProperty("call_control_id").GetString());
    }

    [Fact]
    public async Task Simulate_TelnyxWithoutParameters_OmitsClientState()
    {
        await using var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct));
        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/telnyx"),
            Carrier = CarrierKind.Telnyx,
            CallerAudio = TestAudio.Tone(100),
            TailSeconds = 0,
            Speed = 10,
        }).WaitAsync(Timeout);

        var start = (await gateway.FinishedSessionAsync(Timeout)).Received[1].Root.GetProperty("start");
        Assert.False(start.TryGetProperty("client_state", out _));
    }

    [Fact]
    public async Task Simulate_TelnyxMarksAndMedia_WorkWithoutStreamId()
    {
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            await s.ReceiveUntilAsync("start", ct);
            var tone = TestAudio.MuLawTone(200);
            var alaw = new byte[tone.Length];
            var pcm = new short[tone.Length];
            G711.MuLawToPcm(tone, pcm);
            G711.PcmToALaw(pcm, alaw);
            await s.SendMediaAsync(alaw, streamSid: null);
            await s.SendMarkAsync("done", streamSid: null);
            await s.DrainAsync(ct);
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/telnyx"),
            Carrier = CarrierKind.Telnyx,
            Codec = MediaCodec.Pcma,
            CallerAudio = TestAudio.Tone(100),
            TailSeconds = 3,
            Speed = 2,
        }).WaitAsync(Timeout);
        foreach (var entry in result.Timeline)
        {
            output.WriteLine(SimulationReport.FormatEntry(entry));
        }


        var session = await gateway.FinishedSessionAsync(Timeout);
        Assert.Empty(result.ProtocolViolations);
        Assert.Equal(1600, Assert.Single(result.ReceivedMedia).DecodedBytes);
        var echo = Assert.Single(session.Received, m => m.Event == "mark").Root;
        Assert.Equal(result.Identity.StreamId, echo.GetProperty("stream_id").GetString());
        Assert.Equal(JsonValueKind.String, echo.GetProperty("sequence_number").ValueKind);
        Assert.Equal("done", echo.GetProperty("mark").GetProperty("name").GetString());
        Assert.True(TestAudio.LevelDbfs(result.AgentAudio, result.FirstAgentAudioPlayedMs!.Value + 1, result.FirstAgentAudioPlayedMs.Value + 199) > -20);
        Assert.Equal("""{"a":"b"}""", Encoding.UTF8.GetString(Convert.FromBase64String(TelnyxCallerProtocol.ClientState([new("a", "b")]))));
    }
}
