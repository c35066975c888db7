using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Api;

/// <summary>
/// <c>GET /api/v1/calls?status=live</c> and <c>POST /api/v1/calls/{id}/hangup</c> against real live calls: browser
/// sessions on a real gateway and the local backend.
/// </summary>
public class LiveCallApiTests
{
    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static bool IsAgentFinal(JsonElement m) =>
        m.GetProperty("type").GetString() == "transcript" && Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean();

    private static HttpClient Client(GatewayFixture gateway, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-API-Key", key);
        return http;
    }

    private static Task<GatewayFixture> StartAsync(int goodbyeSeconds = 10)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Limits:GoodbyeSeconds"] = goodbyeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return GatewayFixture.StartAsync(settings);
    }

    /// <summary>A session on the default team's default endpoint, connected; returns the client and the call's id.</summary>
    private static async Task<(SessionTestClient Client, string CallId, Guid SessionId)> ConnectAsync(GatewayFixture gateway, string mode = "text")
    {
        var created = await SessionApi.CreateSessionAsync(gateway, await SessionApi.CreateKeyAsync(gateway), mode: mode);
        var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;
        return (client, callId, created.SessionId);
    }

    private static async Task<JsonElement> LiveAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/api/v1/calls?status=live");
        return await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK);
    }

    private static Task<HttpResponseMessage> HangUpAsync(HttpClient http, string callId, string? body = null) =>
        http.PostAsync($"/api/v1/calls/{callId}/hangup", body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task LiveList_ShowsTheTeamsRunningCalls_AndNoOtherTeamSeesThem()
    {
        await using var gateway = await StartAsync();
        var (client, callId, sessionId) = await ConnectAsync(gateway);
        await using (client)
        {
            using var reader = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls));
            var live = await LiveAsync(reader);
            var call = Assert.Single(live.GetProperty("calls").EnumerateArray());
            Assert.Equal(callId, call.GetProperty("id").GetString());
            Assert.Equal("websocket", call.GetProperty("channel").GetString());
            Assert.Equal(SessionApi.DefaultEndpoint(gateway).Id, call.GetProperty("endpointId").GetGuid());
            Assert.Equal(sessionId, Guid.Parse(call.GetProperty("carrierCallId").GetString()!));
            Assert.Equal(JsonValueKind.Null, call.GetProperty("endedAt").ValueKind);
            Assert.Equal(JsonValueKind.Null, call.GetProperty("endReason").ValueKind);
            Assert.True(call.GetProperty("durationMs").GetInt64() >= 0);
            Assert.False(call.GetProperty("refused").GetBoolean());
            Assert.Equal(1, live.GetProperty("pagination").GetProperty("total").GetInt32());

            // A key that may hang calls up lists them too, but cannot read the stored calls.
            using var manager = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageCalls));
            Assert.Equal(callId, Assert.Single((await LiveAsync(manager)).GetProperty("calls").EnumerateArray()).GetProperty("id").GetString());
            using (var stored = await manager.GetAsync("/api/v1/calls"))
            {
                var problem = await ApiGateway.ReadProblemAsync(stored, HttpStatusCode.Forbidden);
                Assert.Contains("READ_CALLS", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            using var other = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin, (await SessionApi.CreateTeamAsync(gateway)).Id));
            var theirs = await LiveAsync(other);
            Assert.Equal(0, theirs.GetProperty("calls").GetArrayLength());
            Assert.Equal(0, theirs.GetProperty("pagination").GetProperty("total").GetInt32());

            using (var bad = await reader.GetAsync("/api/v1/calls?status=ended"))
            {
                var problem = await ApiGateway.ReadProblemAsync(bad, HttpStatusCode.BadRequest);
                Assert.True(problem.GetProperty("errors").TryGetProperty("status", out _));
            }

            await client.SendAsync("""{ "type": "hangup" }""");
            await client.WaitForCloseAsync();
            await gateway.WaitForEndedCallAsync(callId);
            Assert.Equal(0, (await LiveAsync(reader)).GetProperty("calls").GetArrayLength());
        }
    }

    [Fact]
    public async Task Hangup_EndsTheCallAfterTheGoodbye_RecordedAsOperatorHangup()
    {
        await using var gateway = await StartAsync();
        var (client, callId, _) = await ConnectAsync(gateway);
        await using (client)
        {
            await client.SendTextAsync("Hello there.");
            await client.WaitForTypeAsync("transcript", IsAgentFinal);
            using var manager = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageCalls));

            using (var response = await HangUpAsync(manager, callId, """{ "reason": "test is over", "say": "Goodbye from the operator." }"""))
            {
                var accepted = await ApiGateway.ReadJsonAsync(response, HttpStatusCode.Accepted);
                Assert.Equal(callId, accepted.GetProperty("id").GetString());
                Assert.Equal("ending", accepted.GetProperty("status").GetString());
                Assert.Equal(CallEndReason.OperatorHangup, accepted.GetProperty("endReason").GetString());
                Assert.Equal($"/api/v1/calls/{callId}", response.Headers.Location?.OriginalString);
            }

            Assert.Equal((int)WebSocketCloseStatus.NormalClosure, await client.WaitForCloseAsync());
            Assert.Equal("conversation ended by an operator", client.CloseDescription);
            var events = await gateway.WaitForEndedCallAsync(callId);
            var goodbye = Assert.Single(events, e => e.Type == CallEventType.LimitWarning && e.Reason == "goodbye");
            Assert.Equal(CallEndReason.OperatorHangup, goodbye.Data!["end_reason"]);
            Assert.Equal(CallEndReason.OperatorHangup, events[^1].Reason);
            Assert.Equal("test is over", events[^1].Detail);

            using var reader = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls));
            using (var stored = await reader.GetAsync($"/api/v1/calls/{callId}"))
            {
                var call = await ApiGateway.ReadJsonAsync(stored, HttpStatusCode.OK);
                Assert.Equal(CallEndReason.OperatorHangup, call.GetProperty("endReason").GetString());
                Assert.True(call.GetProperty("durationMs").GetInt64() > 0);
                Assert.False(call.GetProperty("refused").GetBoolean());
            }

            using var again = await HangUpAsync(manager, callId);
            var ended = await ApiGateway.ReadProblemAsync(again, HttpStatusCode.Conflict);
            Assert.Equal("the call has already ended (operator_hangup)", ended.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task TwilioCall_IsListedLive_NumbersOnlyForReadCalls_AndAHangupClosesTheStream()
    {
        await using var gateway = await StartAsync(goodbyeSeconds: 5);
        var simulation = CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            Carrier = CarrierKind.Twilio,
            CallerAudio = CallTestAudio.Speech(),
            TailSeconds = 30, // the caller stays on the line until the operator hangs up
            Parameters = [new("From", "+15550100001"), new("To", "+15550100002")],
        });
        var callId = await LiveCallIdAsync(gateway);
        await gateway.Journal.FlushAsync(CancellationToken.None);

        using var reader = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls));
        var seen = Assert.Single((await LiveAsync(reader)).GetProperty("calls").EnumerateArray());
        Assert.Equal(callId, seen.GetProperty("id").GetString());
        Assert.Equal("twilio", seen.GetProperty("channel").GetString());
        Assert.Equal("+15550100001", seen.GetProperty("from").GetString()); // as GET /api/v1/calls shows it
        Assert.True(seen.GetProperty("eventCount").GetInt64() >= 1);
        using var manager = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageCalls));
        var managed = Assert.Single((await LiveAsync(manager)).GetProperty("calls").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, managed.GetProperty("from").ValueKind);
        Assert.Equal(JsonValueKind.Null, managed.GetProperty("to").ValueKind);

        using (var response = await HangUpAsync(manager, callId, """{ "say": "We are closing now. Goodbye." }"""))
        {
            await ApiGateway.ReadJsonAsync(response, HttpStatusCode.Accepted);
        }

        var result = await simulation.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.GatewayClosedFirst);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, result.CloseStatus);
        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.Equal(CallEndReason.OperatorHangup, events[^1].Reason);
        Assert.StartsWith("hung up by an operator", events[^1].Detail, StringComparison.Ordinal);
        Assert.Equal(0, gateway.Calls.Count);
    }

    /// <summary>The id of the only call once it is live.</summary>
    private static async Task<string> LiveCallIdAsync(GatewayFixture gateway)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (gateway.Calls.Snapshot().FirstOrDefault() is { } call)
            {
                return call.CallId;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("no live call");
    }

    [Fact]
    public async Task Hangup_AnswersAtOnce_AndASecondOneWhileTheGoodbyePlaysIs409()
    {
        // In audio_playback the goodbye ends when the client reports it played; this client never does, so the goodbye
        // runs until Limits:GoodbyeSeconds and the call is "ending" all that time.
        await using var gateway = await StartAsync(goodbyeSeconds: 4);
        var (client, callId, _) = await ConnectAsync(gateway, mode: "audio_playback");
        await using (client)
        {
            // One answer first, so the agent is connected and the goodbye has to be heard (not just skipped).
            await client.SendTextAsync("Hello there.");
            await client.WaitForTypeAsync("audio_done");
            using var admin = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));

            using (var first = await HangUpAsync(admin, callId))
            {
                await ApiGateway.ReadJsonAsync(first, HttpStatusCode.Accepted);
            }

            using (var second = await HangUpAsync(admin, callId, """{ "say": "Bye." }"""))
            {
                var problem = await ApiGateway.ReadProblemAsync(second, HttpStatusCode.Conflict);
                Assert.Equal("the call is already ending", problem.GetProperty("detail").GetString());
            }

            Assert.Equal((int)WebSocketCloseStatus.NormalClosure, await client.WaitForCloseAsync(TimeSpan.FromSeconds(15)));
            var events = await gateway.WaitForEndedCallAsync(callId);
            Assert.Equal(CallEndReason.OperatorHangup, events[^1].Reason);
            Assert.Equal("hung up by an operator", events[^1].Detail);
        }
    }

    [Fact]
    public async Task Hangup_OtherTeamUnknownCallMissingScopeOrBadBody_IsRefusedAndTheCallRuns()
    {
        await using var gateway = await StartAsync();
        var (client, callId, _) = await ConnectAsync(gateway);
        await using (client)
        {
            using var other = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin, (await SessionApi.CreateTeamAsync(gateway)).Id));
            using (var response = await HangUpAsync(other, callId))
            {
                await ApiGateway.ReadProblemAsync(response, HttpStatusCode.NotFound);
            }

            using var reader = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls | ApiScopes.ManageEndpoints));
            using (var response = await HangUpAsync(reader, callId))
            {
                var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Forbidden);
                Assert.Equal("this API key lacks the MANAGE_CALLS scope", problem.GetProperty("detail").GetString());
            }

            using var manager = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageCalls));
            using (var response = await HangUpAsync(manager, "call_00000000000000000000000000000000"))
            {
                var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.NotFound);
                Assert.Equal("no live call with this id on this node", problem.GetProperty("detail").GetString());
            }

            using (var response = await HangUpAsync(manager, callId, """{ "goodbye": "Bye." }"""))
            {
                var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
                Assert.Equal(["unknown field 'goodbye'"], problem.GetProperty("errors").GetProperty("goodbye").EnumerateArray().Select(m => m.GetString()));
            }

            using (var response = await HangUpAsync(manager, callId, JsonSerializer.Serialize(new { say = new string('x', 501), reason = "" })))
            {
                var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
                Assert.Equal(["reason", "say"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
            }

            // Nothing above touched the call.
            Assert.True(gateway.Calls.TryGet(callId, out _));
            await client.SendTextAsync("Still there?");
            await client.WaitForTypeAsync("transcript", IsAgentFinal);
        }
    }
}
