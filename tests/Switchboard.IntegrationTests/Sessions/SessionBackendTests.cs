using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>Text sessions against an OpenAI-shaped backend: what the gateway sends, and how backend errors and drops reach the client.</summary>
public class SessionBackendTests
{
    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static bool IsAgentFinal(JsonElement m) =>
        m.GetProperty("type").GetString() == "transcript" && Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean();

    private static async Task<(GatewayFixture Gateway, string Key)> StartAsync(ScriptedTextBackend backend, bool reconnect = true)
    {
        var settings = SessionApi.Settings();
        if (!reconnect)
        {
            settings["Switchboard:Backend:ReconnectBudgetSeconds"] = "0";
        }

        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = "sk-test-key";
        settings["Switchboard:OpenAI:RealtimeUrl"] = backend.RealtimeUrl;
        var gateway = await GatewayFixture.StartAsync(settings);
        return (gateway, await SessionApi.CreateKeyAsync(gateway));
    }

    [Fact]
    public async Task Session_EndpointNamingAnotherBackendThanTheDefault_RunsOnTheEndpointsBackend()
    {
        // The gateway's default is the local agent; the endpoint asks for OpenAI, which is configured too. Admission picks
        // the backend from the endpoint's spec for every channel, so the session talks to the OpenAI-shaped backend.
        await using var backend = await ScriptedTextBackend.StartAsync();
        var settings = SessionApi.Settings();
        settings["Switchboard:Backend:Kind"] = "Local";
        settings["Switchboard:OpenAI:ApiKey"] = "sk-test-key";
        settings["Switchboard:OpenAI:RealtimeUrl"] = backend.RealtimeUrl;
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);
        var openai = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Backend = "openai", Model = "gpt-realtime-mini" });
        var local = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec());

        await using (var client = await SessionTestClient.ConnectAsync((await SessionApi.CreateSessionAsync(gateway, key, openai.Id)).WsUrl))
        {
            await client.SendTextAsync("Where is my order?");
            var final = await client.WaitForTypeAsync("transcript", IsAgentFinal);
            Assert.Equal(ScriptedTextBackend.Answer, Payload(final).GetProperty("text").GetString());
        }

        Assert.Equal("/v1/realtime?model=gpt-realtime-mini", Assert.Single(backend.Requests).PathAndQuery);

        // An endpoint on the default backend still gets the local agent (its echo), not the OpenAI-shaped one.
        await using (var client = await SessionTestClient.ConnectAsync((await SessionApi.CreateSessionAsync(gateway, key, local.Id)).WsUrl))
        {
            await client.SendTextAsync("hello");
            var final = await client.WaitForTypeAsync("transcript", IsAgentFinal);
            Assert.Equal("(echo) hello", Payload(final).GetProperty("text").GetString());
        }

        Assert.Single(backend.Requests);
    }

    [Fact]
    public async Task TextSession_SendsTextOnlyGaSessionWithTheEndpointsSpec_AndRelaysTheText()
    {
        await using var backend = await ScriptedTextBackend.StartAsync();
        var (gateway, key) = await StartAsync(backend);
        await using var _ = gateway;
        using var parameters = JsonDocument.Parse("""{"type":"object","properties":{"order":{"type":"string"}}}""");
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Model = "gpt-realtime-mini",
            Instructions = "Be brief.",
            Tools = [new ToolSpec { Name = "lookup_order", Description = "Find an order", Parameters = parameters.RootElement.Clone() }],
            Flows = [new FlowSpec { Name = "billing", Instructions = "Only discuss billing." }],
        });
        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id, flow: "billing");
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);

        await client.SendTextAsync("Where is my order?");
        var final = await client.WaitForTypeAsync("transcript", IsAgentFinal);

        Assert.Equal(ScriptedTextBackend.Answer, Payload(final).GetProperty("text").GetString());
        Assert.Equal("item_answer_1", Payload(final).GetProperty("itemId").GetString());
        Assert.Equal<string>(["Fake ", "answer."], client.Received
            .Where(m => m.GetProperty("type").GetString() == "transcript" && !Payload(m).GetProperty("final").GetBoolean())
            .Select(m => Payload(m).GetProperty("text").GetString()!).ToArray());

        Assert.Equal("/v1/realtime?model=gpt-realtime-mini", Assert.Single(backend.Requests).PathAndQuery);
        var sent = backend.Received;
        var session = sent.First(e => (string?)e["type"] == "session.update")["session"]!.AsObject();
        Assert.Equal("realtime", (string?)session["type"]);
        Assert.Equal("gpt-realtime-mini", (string?)session["model"]);
        Assert.Equal<string>(["text"], session["output_modalities"]!.AsArray().Select(m => (string)m!).ToArray());
        Assert.False(session.ContainsKey("audio"));
        Assert.Equal("Be brief.\n\nOnly discuss billing.", (string?)session["instructions"]);
        Assert.Equal("lookup_order", (string?)session["tools"]![0]!["name"]);
        Assert.Equal("function", (string?)session["tools"]![0]!["type"]);

        var item = sent.First(e => (string?)e["type"] == "conversation.item.create")["item"]!;
        Assert.Equal("message", (string?)item["type"]);
        Assert.Equal("user", (string?)item["role"]);
        Assert.Equal("input_text", (string?)item["content"]![0]!["type"]);
        Assert.Equal("Where is my order?", (string?)item["content"]![0]!["text"]);
        var user = client.Received.First(m => m.GetProperty("type").GetString() == "transcript" && Payload(m).GetProperty("role").GetString() == "user");
        Assert.Equal((string?)item["id"], Payload(user).GetProperty("itemId").GetString());
        Assert.Contains(sent, e => (string?)e["type"] == "response.create");
    }

    [Fact]
    public async Task BackendError_IsReportedWithItsCode_AndTheSessionStaysUsable()
    {
        await using var backend = await ScriptedTextBackend.StartAsync();
        var (gateway, key) = await StartAsync(backend);
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;
        backend.FailNextResponses(1);

        await client.SendTextAsync("first");
        var error = Payload(await client.WaitForTypeAsync("error"));
        Assert.Equal("backend_error", error.GetProperty("code").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("backendCode").GetString());
        Assert.Equal("Slow down.", error.GetProperty("message").GetString());
        // The refused turn is over: the agent is idle again and the next turn is answered.
        await client.WaitForTypeAsync("status", m => Payload(m).GetProperty("state").GetString() == "idle"
            && m.GetProperty("seq").GetInt64() > client.Received.First(e => e.GetProperty("type").GetString() == "error").GetProperty("seq").GetInt64());

        await client.SendTextAsync("second");
        var final = await client.WaitForTypeAsync("transcript", IsAgentFinal);
        Assert.Equal(ScriptedTextBackend.Answer, Payload(final).GetProperty("text").GetString());
        Assert.Equal(WebSocketState.Open, client.State);

        await client.SendAsync("""{"type":"hangup"}""");
        await client.WaitForCloseAsync();
        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.Contains(events, e => e.Type == CallEventType.BackendError && e.Reason == "rate_limit_exceeded");
        Assert.Contains(events, e => e.Type == CallEventType.Usage && e.Data!["total_tokens"] == "12");
    }

    [Fact]
    public async Task BackendDrop_WithReconnectingOff_ErrorsThenCloses1011()
    {
        await using var backend = await ScriptedTextBackend.StartAsync();
        backend.DropOnResponse = true;
        var (gateway, key) = await StartAsync(backend, reconnect: false);
        await using var _ = gateway;
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;

        await client.SendTextAsync("hello?");

        var error = Payload(await client.WaitForTypeAsync("error"));
        Assert.Equal("backend_disconnected", error.GetProperty("code").GetString());
        Assert.Equal((int)WebSocketCloseStatus.InternalServerError, await client.WaitForCloseAsync());
        Assert.Equal("agent backend disconnected", client.CloseDescription);
        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.Equal(CallEndReason.BackendDisconnected, events.Single(e => e.Type == CallEventType.CallEnded).Reason);
    }
}
