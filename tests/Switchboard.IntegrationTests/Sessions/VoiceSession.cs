using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// One voice session wired up for a test: a <see cref="VoiceFakeBackend"/>, a real gateway pointed at it, a session in
/// the given mode on an endpoint with the given spec (the default endpoint when none), and a connected client. Ready
/// when returned: the client has <c>status connected</c> and <c>idle</c>, and the backend has the <c>session.update</c>.
/// </summary>
internal sealed class VoiceSession : IAsyncDisposable
{
    private VoiceSession(VoiceFakeBackend backend, GatewayFixture gateway, SessionTestClient client, string callId, JsonNode sessionUpdate)
    {
        Backend = backend;
        Gateway = gateway;
        Client = client;
        CallId = callId;
        SessionUpdate = sessionUpdate;
    }

    public VoiceFakeBackend Backend { get; }

    public GatewayFixture Gateway { get; }

    public SessionTestClient Client { get; }

    public string CallId { get; }

    /// <summary>The <c>session</c> object of the gateway's <c>session.update</c>.</summary>
    public JsonNode SessionUpdate { get; }

    public static async Task<VoiceSession> StartAsync(string mode, AgentSpec? spec = null, Dictionary<string, string?>? settings = null)
    {
        var backend = await VoiceFakeBackend.StartAsync();
        var gatewaySettings = backend.GatewaySettings();
        foreach (var (key, value) in settings ?? [])
        {
            gatewaySettings[key] = value;
        }

        var gateway = await GatewayFixture.StartAsync(gatewaySettings);
        var apiKey = await SessionApi.CreateKeyAsync(gateway);
        var endpointId = spec is null ? SessionApi.DefaultEndpoint(gateway).Id : (await SessionApi.CreateEndpointAsync(gateway, spec)).Id;
        var created = await SessionApi.CreateSessionAsync(gateway, apiKey, endpointId, mode: mode);
        var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var connected = await client.WaitForTypeAsync("status");
        var callId = connected.GetProperty("payload").GetProperty("callId").GetString()!;
        var update = await backend.WaitForAsync("session.update");
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle"));
        return new VoiceSession(backend, gateway, client, callId, update["session"]!);
    }

    public static string Type(JsonElement m) => m.GetProperty("type").GetString()!;

    public static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    public static long Seq(JsonElement m) => m.GetProperty("seq").GetInt64();

    public static bool IsStatus(JsonElement m, string state) => Type(m) == "status" && Payload(m).GetProperty("state").GetString() == state;

    public static bool IsAgentFinal(JsonElement m) =>
        Type(m) == "transcript" && Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean();

    /// <summary>
    /// Waits until the gateway has handled everything the client sent so far: its client loop handles messages in order,
    /// so the <c>pong</c> to a <c>ping</c> sent now comes after them.
    /// </summary>
    public async Task<JsonElement> SyncClientAsync()
    {
        await Client.SendAsync("""{"type":"ping"}""");
        return await Client.WaitForTypeAsync("pong");
    }

    /// <summary>
    /// Waits until the backend has received everything the gateway sent it so far for the client: a typed turn reaches the
    /// backend as <c>conversation.item.create</c> after every earlier event on the same socket.
    /// </summary>
    public async Task<JsonNode> SyncBackendAsync(string text = "sync")
    {
        await Client.SendTextAsync(text);
        return await Backend.WaitForAsync("conversation.item.create", e => (string?)e["item"]?["content"]?[0]?["text"] == text);
    }

    /// <summary>Hangs up and returns the call's journal.</summary>
    public async Task<IReadOnlyList<CallEvent>> HangUpAsync()
    {
        await Client.SendAsync("""{"type":"hangup"}""");
        Assert.Equal(1000, await Client.WaitForCloseAsync());
        return await Gateway.WaitForEndedCallAsync(CallId);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
