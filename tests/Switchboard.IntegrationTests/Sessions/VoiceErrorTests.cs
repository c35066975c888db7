using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using static Switchboard.IntegrationTests.Sessions.VoiceSession;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// Bad voice messages get an <c>error</c> with the documented code and nothing else: the socket stays open, and the
/// conversation keeps working afterwards (the next good audio is appended, the next typed turn is answered).
/// </summary>
public class VoiceErrorTests
{
    private static readonly string GoodAudio = VoiceAudio.Message(new byte[960], 24000);

    private static async Task<JsonElement> ExpectErrorAsync(SessionTestClient client, string message, string code)
    {
        var before = client.Received.Count == 0 ? 0 : Seq(client.Received[^1]);
        await client.SendAsync(message);
        var error = await client.WaitForTypeAsync("error", m => Seq(m) > before);
        Assert.Equal(code, Payload(error).GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(Payload(error).GetProperty("message").GetString()));
        return error;
    }

    [Theory]
    [InlineData(InteractionModes.Text)]
    [InlineData(InteractionModes.AudioPlayback)]
    public async Task AudioInAModeWithoutMicrophone_IsAudioNotAllowed_AndTypedTurnsStillWork(string mode)
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var created = await SessionApi.CreateSessionAsync(gateway, key, mode: mode);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle"));

        var error = await ExpectErrorAsync(client, GoodAudio, "audio_not_allowed");
        Assert.Contains(mode, Payload(error).GetProperty("message").GetString(), StringComparison.Ordinal);
        await ExpectErrorAsync(client, VoiceAudio.Message(new byte[640], 16000), "audio_not_allowed");

        await client.SendTextAsync("still there?");
        var final = await client.WaitForTypeAsync("transcript", IsAgentFinal);
        Assert.Equal("(echo) still there?", Payload(final).GetProperty("text").GetString());
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task ClientInterruptInTextMode_IsInvalidPlayback()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle"));

        await ExpectErrorAsync(client, """{"type":"interrupt","payload":{}}""", "invalid_playback");

        await client.SendTextAsync("hello");
        await client.WaitForTypeAsync("transcript", IsAgentFinal);
    }

    public static TheoryData<string, string, string> BadVoiceMessages => new()
    {
        { "not base64", """{"type":"audio","payload":{"audio":"!!!!not base64!!!!","sampleRate":24000}}""", "invalid_audio" },
        { "not base64 at 16 kHz", """{"type":"audio","payload":{"audio":"AA==AA==","sampleRate":16000}}""", "invalid_audio" },
        { "odd byte count", """{"type":"audio","payload":{"audio":"AAAA","sampleRate":24000}}""", "invalid_audio" },
        { "odd byte count at 16 kHz", """{"type":"audio","payload":{"audio":"AAAAAAA=","sampleRate":16000}}""", "invalid_audio" },
        { "8 kHz", """{"type":"audio","payload":{"audio":"AAAA","sampleRate":8000}}""", "invalid_audio" },
        { "no audio", """{"type":"audio","payload":{"sampleRate":16000}}""", "invalid_audio" },
        { "audio not a string", """{"type":"audio","payload":{"audio":[0,0]}}""", "invalid_audio" },
        { "no payload", """{"type":"audio"}""", "invalid_audio" },
        { "playback without itemId", """{"type":"playback","payload":{"playedMs":100}}""", "invalid_playback" },
        { "playback without playedMs", """{"type":"playback","payload":{"itemId":"item_1"}}""", "invalid_playback" },
        { "negative playedMs", """{"type":"playback","payload":{"itemId":"item_1","playedMs":-3}}""", "invalid_playback" },
        { "interrupt with a numeric itemId", """{"type":"interrupt","payload":{"itemId":3}}""", "invalid_playback" },
        { "action_result without ok", """{"type":"action_result","payload":{"actionId":"call_1"}}""", "invalid_action_result" },
    };

    [Theory]
    [MemberData(nameof(BadVoiceMessages))]
    public async Task BadVoiceMessage_GetsItsErrorCode_AndTheConversationGoesOn(string what, string message, string code)
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);

        _ = what; // names the case in the test results
        await ExpectErrorAsync(voice.Client, message, code);

        // Nothing of the bad message reached the backend, and good audio after it does.
        await voice.Client.SendAsync(GoodAudio);
        await voice.SyncBackendAsync();
        var appends = voice.Backend.Received.Where(e => (string?)e["type"] == "input_audio_buffer.append").ToList();
        Assert.Equal(Convert.ToBase64String(new byte[960]), (string?)Assert.Single(appends)["audio"]);
        Assert.Equal(WebSocketState.Open, voice.Client.State);
        Assert.Single(voice.Client.Received, m => Type(m) == "error");
    }

    [Fact]
    public async Task SeveralBadMessagesInARow_EachGetsAnError_AndTheSessionStaysOpen()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);

        foreach (var (_, message, code) in BadVoiceMessages.Select(row => ((string)row[0], (string)row[1], (string)row[2])))
        {
            await ExpectErrorAsync(voice.Client, message, code);
        }

        await voice.SyncClientAsync();
        Assert.Equal(BadVoiceMessages.Count, voice.Client.Received.Count(m => Type(m) == "error"));
        var events = await voice.HangUpAsync();
        Assert.Equal(Switchboard.Journal.CallEndReason.CallerHangup, events.Single(e => e.Type == Switchboard.Journal.CallEventType.CallEnded).Reason);
    }
}
