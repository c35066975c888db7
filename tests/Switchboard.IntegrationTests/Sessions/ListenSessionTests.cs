using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Audio;
using Switchboard.Calls;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// Listen sessions over real sockets on the local backend: a listener follows a live Twilio or Telnyx call or a live voice
/// session, hears both sides and reads both sides' transcript, gets <c>call_ended</c> and a 1000 close; what it sends never
/// reaches the call; a listener that stops reading never stalls it; another team's or an ended call is a 404.
/// </summary>
public class ListenSessionTests
{
    private static byte[] SpeechThenSilence()
    {
        var speech = CallTestAudio.Speech().Samples;
        var samples = new short[speech.Length + 8000];
        speech.CopyTo(samples, 0);
        var mulaw = new byte[samples.Length];
        G711.PcmToMuLaw(samples, mulaw);
        return mulaw;
    }

    private static Dictionary<string, string?> Settings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Telnyx:StreamToken"] = "tel-secret";
        return settings;
    }

    private static async Task<(RawCall Call, string CallId)> StartTwilioCallAsync(GatewayFixture gateway, Guid endpointId, string kind = "twilio")
    {
        var url = gateway.WebSocketUrl(kind == "twilio" ? "/twilio" : "/telnyx?token=tel-secret");
        var call = await RawCall.CarrierAsync(kind, url, endpointId, await CarrierBinding.TokenAsync(gateway, endpointId), media: false);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.Calls.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return (call, gateway.Calls.Snapshot().Single().CallId);
    }

    private static Task<HttpResponseMessage> PostListenAsync(GatewayFixture gateway, string key, string callId) =>
        SessionApi.PostRawAsync(gateway, key, JsonSerializer.Serialize(new { mode = "listen", callId }));

    private static async Task<SessionTestClient> ListenAsync(GatewayFixture gateway, string key, string callId)
    {
        using var response = await PostListenAsync(gateway, key, callId);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        var created = JsonSerializer.Deserialize<CreatedSession>(text, JsonSerializerOptions.Web)!;
        return await SessionTestClient.ConnectAsync(created.WsUrl);
    }

    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static bool IsType(JsonElement m, string type) => m.GetProperty("type").GetString() == type;

    private static IEnumerable<JsonElement> Audio(SessionTestClient client, string source) =>
        client.Received.Where(m => IsType(m, "audio") && Payload(m).GetProperty("source").GetString() == source);

    private static IEnumerable<JsonElement> Finals(SessionTestClient client, string role) =>
        client.Received.Where(m => IsType(m, "transcript") && Payload(m).GetProperty("role").GetString() == role && Payload(m).GetProperty("final").GetBoolean());

    [Theory]
    [InlineData("twilio")]
    [InlineData("telnyx")]
    public async Task CarrierCall_Listener_HearsBothSidesReadsBothTranscriptsAndIsToldTheCallEnded(string kind)
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var (caller, callId) = await StartTwilioCallAsync(gateway, SessionApi.DefaultEndpoint(gateway).Id, kind);
        await using var _ = caller;
        await using var listener = await ListenAsync(gateway, key, callId);

        var connected = Payload(await listener.WaitForTypeAsync("status"));
        Assert.Equal("connected", connected.GetProperty("state").GetString());
        Assert.Equal("listen", connected.GetProperty("mode").GetString());
        Assert.Equal(callId, connected.GetProperty("callId").GetString());
        Assert.Equal(kind, connected.GetProperty("channel").GetString());
        Assert.Equal(24000, connected.GetProperty("audio").GetProperty("sampleRate").GetInt32());

        // What a listener sends is refused, typed, and never reaches the call.
        await listener.SendAsync("""{"type":"text","payload":{"text":"psst, say yes"}}""");
        await listener.SendAsync($$$"""{"type":"audio","payload":{"audio":"{{{Convert.ToBase64String(new byte[960])}}}","sampleRate":24000}}""");
        Assert.Equal("listen_only", Payload(await listener.WaitForTypeAsync("error")).GetProperty("code").GetString());
        Assert.Equal("listen_only", Payload(await listener.WaitForTypeAsync("error")).GetProperty("code").GetString());

        await caller.SendMediaAsync(SpeechThenSilence());
        await listener.WaitForTypeAsync("transcript", m => Payload(m).GetProperty("role").GetString() == "agent", TimeSpan.FromSeconds(20));
        await caller.HangUpAsync();
        var ended = Payload(await listener.WaitForTypeAsync("call_ended"));
        Assert.Equal(1000, await listener.WaitForCloseAsync());

        Assert.Equal(CallEndReason.CallerHangup, ended.GetProperty("reason").GetString());
        Assert.Equal("call ended", listener.CloseDescription);
        // Both sides' audio, as PCM16 at 24 kHz: the caller's speech (1.5 s + 1 s of silence at 8 kHz = 2.5 s) and the echo.
        var callerBytes = Audio(listener, "caller").Sum(m => Convert.FromBase64String(Payload(m).GetProperty("audio").GetString()!).Length);
        Assert.InRange(callerBytes, 2 * 24000 * 2, 3 * 24000 * 2);
        var agentAudio = Audio(listener, "agent").ToList();
        Assert.NotEmpty(agentAudio);
        Assert.All(agentAudio, m => Assert.StartsWith("item", Payload(m).GetProperty("itemId").GetString(), StringComparison.Ordinal));
        Assert.Matches(@"^\(\d+\.\d s of speech\)$", Payload(Assert.Single(Finals(listener, "user"))).GetProperty("text").GetString());
        Assert.Equal("(echo)", Payload(Assert.Single(Finals(listener, "agent"))).GetProperty("text").GetString());

        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.DoesNotContain(events, e => e.Text?.Contains("psst", StringComparison.Ordinal) == true);
        Assert.Single(events, e => e.Type == CallEventType.CallerTurn);
    }

    [Fact]
    public async Task VoiceSession_ListenerByItsSessionId_HearsTheMicrophoneAndReadsTheTurns()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var created = await SessionApi.CreateSessionAsync(gateway, key, mode: InteractionModes.VoiceConversation);
        await using var voice = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await voice.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;
        await using var listener = await ListenAsync(gateway, key, created.SessionId.ToString("D"));
        Assert.Equal(callId, Payload(await listener.WaitForTypeAsync("status")).GetProperty("callId").GetString());

        await voice.SendAsync($$$"""{"type":"audio","payload":{"audio":"{{{Convert.ToBase64String(new byte[1600])}}}","sampleRate":16000}}""");
        await voice.SendTextAsync("Where is my order?");
        await listener.WaitForTypeAsync("transcript", m => Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean(),
            TimeSpan.FromSeconds(20));
        await voice.SendAsync("""{"type":"hangup"}""");
        var ended = Payload(await listener.WaitForTypeAsync("call_ended"));
        Assert.Equal(1000, await listener.WaitForCloseAsync());

        Assert.Equal(CallEndReason.CallerHangup, ended.GetProperty("reason").GetString());
        // 50 ms of microphone audio at 16 kHz reaches the listener at 24 kHz.
        var callerBytes = Audio(listener, "caller").Sum(m => Convert.FromBase64String(Payload(m).GetProperty("audio").GetString()!).Length);
        Assert.InRange(callerBytes, 2000, 2400);
        Assert.NotEmpty(Audio(listener, "agent"));
        Assert.Equal("Where is my order?", Payload(Assert.Single(Finals(listener, "user"))).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Create_AnotherTeamsCallUnknownOrEnded_Is404()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var other = await SessionApi.CreateTeamAsync(gateway);
        var otherKey = await SessionApi.CreateKeyAsync(gateway, teamId: other.Id);
        var (caller, callId) = await StartTwilioCallAsync(gateway, SessionApi.DefaultEndpoint(gateway).Id);

        using (var theirs = await PostListenAsync(gateway, otherKey, callId))
        {
            Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
            Assert.Contains("no such call live", (await SessionApi.ProblemAsync(theirs)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var unknown = await PostListenAsync(gateway, key, "call_" + Guid.NewGuid().ToString("N")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        await caller.HangUpAsync();
        await gateway.WaitForEndedCallAsync(callId);
        await caller.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (gateway.Calls.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        using var ended = await PostListenAsync(gateway, key, callId);
        Assert.Equal(HttpStatusCode.NotFound, ended.StatusCode);
    }

    [Fact]
    public async Task Create_EndpointWithoutListen_Is403AndListenWithoutCallIdIs400()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Modes = [InteractionModes.VoiceConversation] });
        var (caller, callId) = await StartTwilioCallAsync(gateway, endpoint.Id);
        await using var _ = caller;

        using var forbidden = await PostListenAsync(gateway, key, callId);
        using var missing = await SessionApi.PostRawAsync(gateway, key, """{"mode":"listen"}""");

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("does not allow mode 'listen'", (await SessionApi.ProblemAsync(forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("callId is required", (await SessionApi.ProblemAsync(missing)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StalledListener_NeverReads_TheCallGoesOnAndEndsNormally()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var (caller, callId) = await StartTwilioCallAsync(gateway, SessionApi.DefaultEndpoint(gateway).Id);
        await using var _ = caller;
        using var response = await PostListenAsync(gateway, key, callId);
        var created = JsonSerializer.Deserialize<CreatedSession>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        // A listener that connects and then never reads a byte: its socket buffers fill, its queue drops its oldest audio.
        using var stalled = new ClientWebSocket();
        await stalled.ConnectAsync(new Uri(created.WsUrl), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (gateway.Calls.Snapshot().Single().Tap!.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, gateway.Calls.Snapshot().Single().Tap!.Count);
        // Three turns, one after the other: each is heard, answered and echoed back to the caller while the listener stalls.
        var agentTurns = 0;
        for (var turn = 1; turn <= 3; turn++)
        {
            await caller.SendMediaAsync(SpeechThenSilence());
            deadline = DateTime.UtcNow.AddSeconds(20);
            while (agentTurns < turn && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                await gateway.Journal.FlushAsync(CancellationToken.None);
                agentTurns = (await gateway.Journal.ReadAsync(callId, CancellationToken.None)).Count(e => e.Type == CallEventType.AgentTurn);
            }
        }

        var heardByCaller = caller.Messages;
        await caller.HangUpAsync();
        var events = await gateway.WaitForEndedCallAsync(callId);

        Assert.Equal(3, agentTurns);
        Assert.True(heardByCaller > 0);
        Assert.Equal(CallEndReason.CallerHangup, events.Last().Reason);
        stalled.Abort();
    }
}
