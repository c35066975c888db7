using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// Voice sessions end to end against the built-in local echo backend: microphone audio streamed in real time at 16 and
/// 24 kHz, the backend's voice detection, transcripts of both sides, the agent's audio (the caller's own speech, echoed)
/// with its length reported in <c>audio_done</c>, and the call in the journal. Also <c>audio_playback</c>, where typed
/// turns are answered in speech.
/// </summary>
public partial class VoiceLocalEchoTests
{
    private const int SpeechMs = 1500;

    private static string Type(JsonElement m) => m.GetProperty("type").GetString()!;

    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static long Seq(JsonElement m) => m.GetProperty("seq").GetInt64();

    private static bool IsStatus(JsonElement m, string state) => Type(m) == "status" && Payload(m).GetProperty("state").GetString() == state;

    private static bool IsTranscript(JsonElement m, string role, bool final) =>
        Type(m) == "transcript" && Payload(m).GetProperty("role").GetString() == role && Payload(m).GetProperty("final").GetBoolean() == final;

    [GeneratedRegex(@"^\((\d+\.\d) s of speech\)$")]
    private static partial Regex SpeechTranscript();

    [Theory]
    [InlineData(16000)]
    [InlineData(24000)]
    public async Task VoiceConversation_SpeechStreamedInRealTime_IsEchoedWithTranscriptsAndJournalled(int rate)
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var created = await SessionApi.CreateSessionAsync(gateway, key, mode: InteractionModes.VoiceConversation);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);

        var connected = Payload(await client.WaitForTypeAsync("status"));
        Assert.Equal("connected", connected.GetProperty("state").GetString());
        Assert.Equal("voice_conversation", connected.GetProperty("mode").GetString());
        var audio = connected.GetProperty("audio");
        Assert.Equal("pcm16", audio.GetProperty("encoding").GetString());
        Assert.Equal([16000, 24000], audio.GetProperty("inputSampleRates").EnumerateArray().Select(r => r.GetInt32()).ToArray());
        Assert.Equal(24000, audio.GetProperty("outputSampleRate").GetInt32());
        var callId = connected.GetProperty("callId").GetString()!;
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle"));

        // Speech, then enough silence for the backend's voice detection (500 ms) to end the turn.
        await VoiceAudio.StreamAsync(client, [.. VoiceAudio.Speech(rate, SpeechMs), .. VoiceAudio.Silence(rate, 1000)], rate);

        var listening = await client.WaitForTypeAsync("status", m => IsStatus(m, "listening"));
        var thinking = await client.WaitForTypeAsync("status", m => IsStatus(m, "thinking"));
        var user = await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "user", final: true));
        var heard = SpeechTranscript().Match(Payload(user).GetProperty("text").GetString()!);
        Assert.True(heard.Success, Payload(user).GetProperty("text").GetString());
        // 16 kHz audio taken for 24 kHz (or the reverse) would shift this by a third.
        Assert.InRange(double.Parse(heard.Groups[1].Value, CultureInfo.InvariantCulture), 1.2, 1.8);
        var agent = await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        Assert.Equal("(echo)", Payload(agent).GetProperty("text").GetString());
        var done = await client.WaitForTypeAsync("audio_done");
        var idle = await client.WaitForTypeAsync("status", m => IsStatus(m, "idle") && Seq(m) > Seq(done));

        var itemId = Payload(done).GetProperty("itemId").GetString()!;
        Assert.Equal(itemId, Payload(agent).GetProperty("itemId").GetString());
        var pieces = client.Received.Where(m => Type(m) == "audio").ToList();
        Assert.NotEmpty(pieces);
        Assert.All(pieces, p =>
        {
            Assert.Equal(24000, Payload(p).GetProperty("sampleRate").GetInt32());
            Assert.Equal(itemId, Payload(p).GetProperty("itemId").GetString());
        });
        var received = pieces.Select(VoiceAudio.AgentBytes).ToList();
        var receivedMs = received.Sum(b => b.Length) / 48;
        // The echo is the caller's turn: the speech, give or take the voice detector's edges.
        Assert.InRange(receivedMs, SpeechMs - 300, SpeechMs + 300);
        Assert.InRange(Payload(done).GetProperty("durationMs").GetInt64(), receivedMs - (received.Max(b => b.Length) / 48), receivedMs + (received.Max(b => b.Length) / 48));
        // And it sounds like it: the loud part of what came back is about as long as the speech that went in.
        var echoed = VoiceAudio.Samples([.. received.SelectMany(b => b)]);
        Assert.True(CallTestAudio.RmsDbfs(echoed) > -35, $"echo RMS {CallTestAudio.RmsDbfs(echoed):0.0} dBFS");

        var speaking = client.Received.First(m => IsStatus(m, "speaking"));
        Assert.True(Seq(listening) < Seq(thinking), client.Describe());
        Assert.True(Seq(thinking) < Seq(speaking) && Seq(speaking) < Seq(pieces[0]), client.Describe());
        Assert.True(Seq(pieces[^1]) < Seq(done) && Seq(done) < Seq(idle), client.Describe());

        await client.SendAsync("""{"type":"hangup"}""");
        Assert.Equal(1000, await client.WaitForCloseAsync());
        Assert.Equal("hangup", client.CloseDescription);

        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.Equal("voice_conversation", events.Single(e => e.Type == CallEventType.CallStarted).Data!["mode"]);
        var callerTurn = Assert.Single(events, e => e.Type == CallEventType.CallerTurn);
        Assert.Equal(Payload(user).GetProperty("text").GetString(), callerTurn.Text);
        var agentTurn = Assert.Single(events, e => e.Type == CallEventType.AgentTurn);
        Assert.Equal("(echo)", agentTurn.Text);
        Assert.Equal(itemId, agentTurn.ItemId);
        Assert.Contains(events, e => e.Type == CallEventType.CallerSpeechStarted);
        Assert.Equal(CallEndReason.CallerHangup, events.Single(e => e.Type == CallEventType.CallEnded).Reason);
    }

    [Fact]
    public async Task AudioPlayback_TypedTurn_IsAnsweredInSpeechWithItsTranscript()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var created = await SessionApi.CreateSessionAsync(gateway, key, mode: InteractionModes.AudioPlayback);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);

        var connected = Payload(await client.WaitForTypeAsync("status"));
        Assert.Equal("audio_playback", connected.GetProperty("mode").GetString());
        Assert.Equal(0, connected.GetProperty("audio").GetProperty("inputSampleRates").GetArrayLength());
        Assert.Equal(24000, connected.GetProperty("audio").GetProperty("outputSampleRate").GetInt32());

        await client.SendTextAsync("Read this aloud");
        await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "user", final: true));
        await client.WaitForTypeAsync("status", m => IsStatus(m, "thinking"));
        var agent = await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        var done = await client.WaitForTypeAsync("audio_done");
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle") && Seq(m) > Seq(done));

        // The local backend speaks a typed turn as its 400 ms chime, with the honest transcript.
        Assert.Equal("(echo) Read this aloud", Payload(agent).GetProperty("text").GetString());
        var receivedMs = client.Received.Where(m => Type(m) == "audio").Sum(m => VoiceAudio.AgentBytes(m).Length) / 48;
        Assert.InRange(receivedMs, 360, 440);
        Assert.Equal(receivedMs, Payload(done).GetProperty("durationMs").GetInt64());
    }
}
