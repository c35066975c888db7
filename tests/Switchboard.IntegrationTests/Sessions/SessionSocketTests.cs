using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Sessions;

public class SessionSocketTests
{
    private static string Type(JsonElement m) => m.GetProperty("type").GetString()!;

    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static bool IsStatus(JsonElement m, string state) => Type(m) == "status" && Payload(m).GetProperty("state").GetString() == state;

    private static bool IsTranscript(JsonElement m, string role, bool final) =>
        Type(m) == "transcript" && Payload(m).GetProperty("role").GetString() == role && Payload(m).GetProperty("final").GetBoolean() == final;

    private static async Task<(GatewayFixture Gateway, string Key)> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = SessionApi.Settings();
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var gateway = await GatewayFixture.StartAsync(settings);
        return (gateway, await SessionApi.CreateKeyAsync(gateway));
    }

    [Fact]
    public async Task TextConversation_LocalEcho_StreamsDeltasThenFinalInOneEnvelope()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);

        var connected = await client.WaitForTypeAsync("status");
        Assert.Equal("connected", Payload(connected).GetProperty("state").GetString());
        Assert.Equal("text", Payload(connected).GetProperty("mode").GetString());
        Assert.Equal(endpoint.Id.ToString("D"), Payload(connected).GetProperty("endpointId").GetString());
        Assert.Equal(connected.GetRawText(), client.Received[0].GetRawText());

        await client.SendTextAsync("Hello there");
        var user = await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "user", final: true));
        Assert.Equal("Hello there", Payload(user).GetProperty("text").GetString());
        await client.WaitForTypeAsync("status", m => IsStatus(m, "thinking"));
        var final = await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        Assert.Equal("(echo) Hello there", Payload(final).GetProperty("text").GetString());
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle") && m.GetProperty("seq").GetInt64() > final.GetProperty("seq").GetInt64());

        var itemId = Payload(final).GetProperty("itemId").GetString();
        var deltas = client.Received.Where(m => IsTranscript(m, "agent", final: false)).ToList();
        Assert.True(deltas.Count >= 2, client.Describe());
        Assert.All(deltas, d => Assert.Equal(itemId, Payload(d).GetProperty("itemId").GetString()));
        Assert.Equal("(echo) Hello there", string.Concat(deltas.Select(d => Payload(d).GetProperty("text").GetString())));
        Assert.True(deltas.Max(d => d.GetProperty("seq").GetInt64()) < final.GetProperty("seq").GetInt64());

        // Every message: the one envelope, numbered 1, 2, 3, … in arrival order, stamped in UTC.
        for (var i = 0; i < client.Received.Count; i++)
        {
            var m = client.Received[i];
            Assert.Equal(["type", "sessionId", "seq", "timestamp", "payload"], m.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(created.SessionId.ToString("D"), m.GetProperty("sessionId").GetString());
            Assert.Equal(i + 1, m.GetProperty("seq").GetInt64());
            var stamp = m.GetProperty("timestamp").GetString()!;
            Assert.EndsWith("Z", stamp, StringComparison.Ordinal);
            var at = DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Equal(JsonValueKind.Object, m.GetProperty("payload").ValueKind);
        }
    }

    [Fact]
    public async Task Conversation_IsJournalledAsAWebSocketCallWithItsTranscript()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;

        await client.SendTextAsync("first");
        await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        await client.SendTextAsync("second");
        await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        await client.SendAsync("""{"type":"hangup"}""");
        Assert.Equal(1000, await client.WaitForCloseAsync());

        var events = await gateway.WaitForEndedCallAsync(callId);
        var started = events.Single(e => e.Type == CallEventType.CallStarted);
        Assert.Equal("websocket", started.Data![CallEventKeys.Carrier]);
        Assert.Equal(created.SessionId.ToString("D"), started.Data[CallEventKeys.SessionId]);
        Assert.Equal(SessionApi.DefaultTeam(gateway).Id.ToString("D"), started.Data[CallEventKeys.TeamId]);
        Assert.Equal(CallEndReason.CallerHangup, events.Single(e => e.Type == CallEventType.CallEnded).Reason);
        var transcript = CallTranscript.Build(events);
        Assert.Equal(
            [("caller", "first"), ("agent", "(echo) first"), ("caller", "second"), ("agent", "(echo) second")],
            transcript.Select(t => (t.Role, t.Text)).ToArray());

        var call = await gateway.Store.GetCallAsync(SessionApi.DefaultTeam(gateway).Id, callId, CancellationToken.None);
        Assert.NotNull(call);
        Assert.Equal("websocket", call.Channel);
        Assert.Equal(SessionApi.DefaultEndpoint(gateway).Id, call.EndpointId);
        Assert.Equal(CallEndReason.CallerHangup, call.EndReason);
        var listed = await gateway.Store.ListCallsAsync(SessionApi.DefaultTeam(gateway).Id, 0, 10, CancellationToken.None);
        Assert.Contains(listed.Items, c => c.Id == callId);
    }

    [Fact]
    public async Task TurnsSentBackToBack_AreAnsweredInOrder()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status");

        await client.SendTextAsync("one");
        await client.SendTextAsync("two");
        await client.SendTextAsync("three");

        var finals = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            finals.Add(Payload(await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true))).GetProperty("text").GetString()!);
        }

        Assert.Equal(["(echo) one", "(echo) two", "(echo) three"], finals);
        Assert.DoesNotContain(client.Received, m => Type(m) == "error");
    }

    [Fact]
    public async Task Greeting_OfTheFlow_IsTheFirstAgentMessage()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Greeting = "Hello from the endpoint.",
            Flows = [new FlowSpec { Name = "billing", Greeting = "Billing desk, how can I help?" }],
        });

        var plain = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);
        await using (var client = await SessionTestClient.ConnectAsync(plain.WsUrl))
        {
            var first = await client.WaitForTypeAsync("transcript");
            Assert.True(IsTranscript(first, "agent", final: true));
            Assert.Equal("Hello from the endpoint.", Payload(first).GetProperty("text").GetString());
        }

        var billing = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id, flow: "billing");
        await using var flowClient = await SessionTestClient.ConnectAsync(billing.WsUrl);
        var greeting = await flowClient.WaitForTypeAsync("transcript");
        Assert.Equal("Billing desk, how can I help?", Payload(greeting).GetProperty("text").GetString());
        await flowClient.SendTextAsync("Hi");
        var answer = await flowClient.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        Assert.Equal("(echo) Hi", Payload(answer).GetProperty("text").GetString());
    }

    [Fact]
    public async Task MalformedAndUnknownMessages_GetErrorsAndTheSessionStaysUsable()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status");

        await client.SendAsync("{not json");
        Assert.Equal("invalid_json", Payload(await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await client.SendAsync("""{"type":"dance","payload":{}}""");
        var unknown = Payload(await client.WaitForTypeAsync("error"));
        Assert.Equal("unknown_type", unknown.GetProperty("code").GetString());
        Assert.Contains("dance", unknown.GetProperty("message").GetString(), StringComparison.Ordinal);
        await client.SendAsync("""{"type":"text","payload":{"text":"   "}}""");
        Assert.Equal("invalid_text", Payload(await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await client.SendRawAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal("binary_not_supported", Payload(await client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await client.SendAsync("""{"type":"ping"}""");
        await client.WaitForTypeAsync("pong");

        await client.SendAsync("""{"type":"user_message","payload":{"text":"still here"}}""");
        var answer = await client.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        Assert.Equal("(echo) still here", Payload(answer).GetProperty("text").GetString());
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task OversizedMessage_Closes1009()
    {
        var (gateway, key) = await StartAsync(new() { ["Switchboard:Sessions:MaxMessageBytes"] = "1024" });
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status");

        await client.SendTextAsync(new string('a', 4000));

        Assert.Equal((int)WebSocketCloseStatus.MessageTooBig, await client.WaitForCloseAsync());
        Assert.Equal("message exceeds 1024 bytes", client.CloseDescription);
    }

    [Fact]
    public async Task Hangup_Closes1000()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status");

        await client.SendAsync("""{"type":"hangup"}""");

        Assert.Equal(1000, await client.WaitForCloseAsync());
        Assert.Equal("hangup", client.CloseDescription);
    }

    [Fact]
    public async Task MissingSessionIdOrToken_Closes4001()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);

        await using (var noSession = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, null, created.WsToken)))
        {
            Assert.Equal(4001, await noSession.WaitForCloseAsync());
            Assert.Equal("missing sessionId", noSession.CloseDescription);
            Assert.Empty(noSession.Received);
        }

        await using var noToken = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, created.SessionId.ToString("D"), null));
        Assert.Equal(4001, await noToken.WaitForCloseAsync());
        Assert.Equal("missing token", noToken.CloseDescription);
    }

    [Fact]
    public async Task TamperedToken_Closes4003()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        var parts = created.WsToken.Split('.');
        var signature = parts[2].ToCharArray();
        signature[0] = signature[0] == 'A' ? 'B' : 'A';
        var tampered = parts[0] + "." + parts[1] + "." + new string(signature);

        await using var client = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, created.SessionId.ToString("D"), tampered));

        Assert.Equal(4003, await client.WaitForCloseAsync());
        Assert.Equal("invalid token", client.CloseDescription);
        Assert.Empty(client.Received);
    }

    [Fact]
    public async Task ExpiredToken_Closes4003()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        var session = (await gateway.Store.GetSessionAsync(created.SessionId, CancellationToken.None))!;
        // Issued by a clock ten minutes behind, with the gateway's key: its 300 s are long over.
        var expired = new SessionTokens(SessionApi.SigningKey, TimeSpan.FromSeconds(300), new ShiftedTimeProvider(TimeSpan.FromMinutes(-10))).Issue(session).Token;

        await using var client = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, created.SessionId.ToString("D"), expired));

        Assert.Equal(4003, await client.WaitForCloseAsync());
        Assert.Equal("token expired", client.CloseDescription);
    }

    [Fact]
    public async Task TokenOfAnotherSession_Closes4003()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var mine = await SessionApi.CreateSessionAsync(gateway, key);
        var theirs = await SessionApi.CreateSessionAsync(gateway, key);

        await using var client = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, mine.SessionId.ToString("D"), theirs.WsToken));

        Assert.Equal(4003, await client.WaitForCloseAsync());
        Assert.Equal("token is for another session", client.CloseDescription);
    }

    [Fact]
    public async Task UnknownSessionWithValidlySignedToken_Closes4003()
    {
        var (gateway, _) = await StartAsync();
        await using var __ = gateway;
        var ghost = new SessionRecord
        {
            Id = Guid.NewGuid(),
            TeamId = SessionApi.DefaultTeam(gateway).Id,
            EndpointId = SessionApi.DefaultEndpoint(gateway).Id,
            Mode = "text",
            CreatedAt = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        };
        var token = new SessionTokens(SessionApi.SigningKey, TimeSpan.FromSeconds(300), TimeProvider.System).Issue(ghost).Token;

        await using var client = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, ghost.Id.ToString("D"), token));

        Assert.Equal(4003, await client.WaitForCloseAsync());
        Assert.Equal("unknown session", client.CloseDescription);
    }

    [Fact]
    public async Task MalformedSessionId_Closes4003()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);

        await using var client = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, "not-a-uuid", created.WsToken));

        Assert.Equal(4003, await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task ExpiredSession_Closes4003()
    {
        var (gateway, _) = await StartAsync();
        await using var __ = gateway;
        var session = new SessionRecord
        {
            Id = Guid.NewGuid(),
            TeamId = SessionApi.DefaultTeam(gateway).Id,
            EndpointId = SessionApi.DefaultEndpoint(gateway).Id,
            Mode = "text",
            CreatedAt = DateTimeOffset.UtcNow.AddHours(-2),
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1),
        };
        await gateway.Store.CreateSessionAsync(session, CancellationToken.None);
        var token = new SessionTokens(SessionApi.SigningKey, TimeSpan.FromSeconds(300), TimeProvider.System).Issue(session).Token;

        await using var client = await SessionTestClient.ConnectAsync(SessionApi.SocketUrl(gateway, session.Id.ToString("D"), token));

        Assert.Equal(4003, await client.WaitForCloseAsync());
        Assert.Equal("session expired", client.CloseDescription);
    }

    [Fact]
    public async Task SecondConnection_SupersedesTheFirst_AndKeepsWorking()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var first = await SessionTestClient.ConnectAsync(created.WsUrl);
        var firstCall = Payload(await first.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;

        await using var second = await SessionTestClient.ConnectAsync(created.WsUrl);
        await second.WaitForTypeAsync("status", m => IsStatus(m, "connected"));

        Assert.Equal(4000, await first.WaitForCloseAsync());
        Assert.Equal("superseded by a newer connection", first.CloseDescription);
        await second.SendTextAsync("after the takeover");
        var answer = await second.WaitForTypeAsync("transcript", m => IsTranscript(m, "agent", final: true));
        Assert.Equal("(echo) after the takeover", Payload(answer).GetProperty("text").GetString());

        var events = await gateway.WaitForEndedCallAsync(firstCall);
        Assert.Equal(CallEndReason.Superseded, events.Single(e => e.Type == CallEventType.CallEnded).Reason);
    }

    [Fact]
    public async Task EndpointNamingAnotherBackend_ErrorsThenCloses1011()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Backend = "openai" });
        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);

        await client.WaitForTypeAsync("status", m => IsStatus(m, "connected"));
        var error = Payload(await client.WaitForTypeAsync("error"));
        Assert.Equal("backend_unavailable", error.GetProperty("code").GetString());
        Assert.Contains("'openai'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((int)WebSocketCloseStatus.InternalServerError, await client.WaitForCloseAsync());
        Assert.Equal("agent backend unavailable", client.CloseDescription);
    }

    [Fact]
    public async Task GatewayShutdown_Closes1001AndEndsTheCall()
    {
        var (gateway, key) = await StartAsync();
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status");
        Assert.Equal(1, gateway.Calls.Count);

        var stopping = gateway.App.StopAsync();

        Assert.Equal((int)WebSocketCloseStatus.EndpointUnavailable, await client.WaitForCloseAsync());
        Assert.Equal("gateway shutting down", client.CloseDescription);
        await stopping;
        Assert.Equal(0, gateway.Calls.Count);
    }

    [Fact]
    public async Task PlainHttpGet_Is400ProblemNotAnUpgrade()
    {
        var (gateway, _) = await StartAsync();
        await using var __ = gateway;
        using var http = new HttpClient();

        using var response = await http.GetAsync(gateway.BaseUrl + "/ws/session");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("/ws/session", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
