using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Telegram;

/// <summary>
/// The operator bridge and the call: the secret at the upgrade, a call on <c>/ws/call</c> through the one engine with its events
/// live on <c>/ws/bridge</c> and the transcript and artifact at the end, the lease surviving a killed call, auto-disarm, and
/// the readiness list flipping check by check.
/// </summary>
public sealed class BridgeCallTests
{
    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static bool IsStatus(JsonElement m, string state) =>
        m.GetProperty("type").GetString() == "status" && Payload(m).GetProperty("state").GetString() == state;

    private static async Task<JsonElement> BootstrapOkAsync(TelegramGateway tg)
    {
        using var response = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData());
        return await TelegramGateway.ReadAsync(response, 200);
    }

    [Theory]
    [InlineData("?secret=wrong-secret-0123456789")]
    [InlineData("")]
    public async Task Bridge_WrongOrMissingSecret_IsRefusedAtTheUpgrade(string query)
    {
        await using var tg = await TelegramGateway.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(tg.Gateway.WebSocketUrl("/ws/bridge" + query)), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.False(tg.Surface.IsControlConnected);
    }

    [Fact]
    public async Task Bridge_BearerSecret_IsAccepted()
    {
        await using var tg = await TelegramGateway.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + TelegramGateway.Secret);

        await socket.ConnectAsync(new Uri(tg.Gateway.WebSocketUrl("/ws/bridge")), CancellationToken.None);

        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Call_ThroughTheBridge_SendsLiveEventsThenTranscriptAndArtifact()
    {
        await using var tg = await TelegramGateway.StartAsync();
        tg.Origin.Set(tg.Gateway.BaseUrl);
        await using var bridge = await tg.ConnectBridgeAsync();
        await bridge.SendAsync("""{"type":"bind","threadId":"conv-7"}""");
        await bridge.WaitForTypeAsync("thread.bound");
        await bridge.SendAsync("""{"type":"arm"}""");
        await bridge.WaitForTypeAsync("surface.armed");

        var boot = await BootstrapOkAsync(tg);
        await bridge.WaitForTypeAsync("call.preparing");
        await using var call = await SessionTestClient.ConnectAsync(boot.GetProperty("wsUrl").GetString()!);
        var connected = Payload(await call.WaitForTypeAsync("status"));
        Assert.Equal("connected", connected.GetProperty("state").GetString());
        var callId = connected.GetProperty("callId").GetString();
        var started = await bridge.WaitForTypeAsync("call.started");
        Assert.Equal(callId, started.GetProperty("callId").GetString());
        Assert.Equal("conv-7", started.GetProperty("threadId").GetString());

        await call.WaitForAsync(m => IsStatus(m, "idle"));
        await call.SendTextAsync("hello bridge");
        await call.WaitForAsync(VoiceSession.IsAgentFinal);
        var live = await bridge.WaitForTypeAsync("call.event", m => m.GetProperty("event").GetProperty("kind").GetString() == "AgentTurn");
        Assert.Equal("(echo) hello bridge", live.GetProperty("event").GetProperty("text").GetString());
        await call.SendAsync("""{"type":"hangup"}""");

        var ended = await bridge.WaitForTypeAsync("call.ended");
        Assert.Equal(callId, ended.GetProperty("callId").GetString());
        Assert.Equal("conv-7", ended.GetProperty("threadId").GetString());
        Assert.Equal("caller_hangup", ended.GetProperty("reason").GetString());
        var transcript = ended.GetProperty("transcript").EnumerateArray().Select(t => (t.GetProperty("role").GetString(), t.GetProperty("text").GetString())).ToList();
        Assert.Contains(("caller", "hello bridge"), transcript);
        Assert.Contains(("agent", "(echo) hello bridge"), transcript);
        var artifact = ended.GetProperty("artifact");
        Assert.Equal(callId, artifact.GetProperty("callId").GetString());
        Assert.Equal("caller_hangup", artifact.GetProperty("endReason").GetString());
        Assert.Equal("telegram-default", artifact.GetProperty("endpoint").GetProperty("name").GetString());
        Assert.Null(tg.Surface.Lease);
    }

    [Fact]
    public async Task KilledCall_ReleasesTheLease_AndTheNextCallStarts()
    {
        await using var tg = await TelegramGateway.StartAsync();
        tg.Origin.Set(tg.Gateway.BaseUrl);
        tg.Ready();
        await using var bridge = await tg.ConnectBridgeAsync();
        var boot = await BootstrapOkAsync(tg);
        var killed = await SessionTestClient.ConnectAsync(boot.GetProperty("wsUrl").GetString()!);
        await killed.WaitForAsync(m => IsStatus(m, "connected"));
        await bridge.WaitForTypeAsync("call.started");
        using (var refused = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData()))
        {
            await TelegramGateway.AssertRefusedAsync(refused, 409, "busy");
        }

        // The page dies without a close frame.
        await killed.DisposeAsync();
        var ended = await bridge.WaitForTypeAsync("call.ended");

        Assert.Equal("client_closed", ended.GetProperty("reason").GetString());
        Assert.Null(tg.Surface.Lease);
        var next = await BootstrapOkAsync(tg);
        await using var call = await SessionTestClient.ConnectAsync(next.GetProperty("wsUrl").GetString()!);
        await call.WaitForAsync(m => IsStatus(m, "connected"));
    }

    [Fact]
    public async Task PreparedCallNeverConnected_LeaseLapsesAfterItsConnectWindow()
    {
        await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?> { ["Switchboard:Realtime:CallTokenTtlSeconds"] = "5" });
        tg.Ready();
        await using var bridge = await tg.ConnectBridgeAsync();
        await BootstrapOkAsync(tg);

        var released = await bridge.WaitForTypeAsync("call.lease_released", timeout: TimeSpan.FromSeconds(10));

        Assert.Equal("call gone", released.GetProperty("reason").GetString());
        await BootstrapOkAsync(tg);
    }

    [Fact]
    public async Task ControlHangup_EndsTheLiveCallAfterAGoodbye()
    {
        await using var tg = await TelegramGateway.StartAsync();
        tg.Origin.Set(tg.Gateway.BaseUrl);
        tg.Ready();
        await using var bridge = await tg.ConnectBridgeAsync();
        var boot = await BootstrapOkAsync(tg);
        await using var call = await SessionTestClient.ConnectAsync(boot.GetProperty("wsUrl").GetString()!);
        await call.WaitForAsync(m => IsStatus(m, "idle"));

        using var http = tg.Control();
        using var response = await http.PostAsync("/api/call/hangup", null);
        Assert.Equal("ending", (await TelegramGateway.ReadAsync(response, 200)).GetProperty("status").GetString());

        var ended = await bridge.WaitForTypeAsync("call.ended", timeout: TimeSpan.FromSeconds(20));
        Assert.Equal("operator_hangup", ended.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task BotHangup_ByTheCaller_EndsTheirCall_ButNotSomeoneElses()
    {
        await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?> { ["Switchboard:Telegram:AllowedUserIds"] = "42,43" });
        tg.Origin.Set(tg.Gateway.BaseUrl);
        tg.Ready();
        await using var bridge = await tg.ConnectBridgeAsync();
        var boot = await BootstrapOkAsync(tg);
        await using var call = await SessionTestClient.ConnectAsync(boot.GetProperty("wsUrl").GetString()!);
        await call.WaitForAsync(m => IsStatus(m, "idle"));

        tg.Bot.SendText(43, 43, "/hangup");
        Assert.Equal("No call of yours is live.", (await tg.Bot.NextMessageAsync())["text"]!.GetValue<string>());
        Assert.True(tg.Surface.Lease is { IsLive: true });
        tg.Bot.SendText(TelegramGateway.Allowed, TelegramGateway.Allowed, "/hangup");
        Assert.Equal("Hanging up.", (await tg.Bot.NextMessageAsync(TimeSpan.FromSeconds(20)))["text"]!.GetValue<string>());

        var ended = await bridge.WaitForTypeAsync("call.ended", timeout: TimeSpan.FromSeconds(20));
        Assert.Equal("operator_hangup", ended.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AutoDisarm_AfterAKilledCall_DisarmsOnceIdle()
    {
        // That a live call holds off auto-disarm is CallSurfaceTests' (fake time); here the real clock after a killed call.
        await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?> { ["Switchboard:Realtime:AutoDisarmSeconds"] = "2" });
        tg.Origin.Set(tg.Gateway.BaseUrl);
        await using var bridge = await tg.ConnectBridgeAsync();
        tg.Ready();
        var boot = await BootstrapOkAsync(tg);
        var call = await SessionTestClient.ConnectAsync(boot.GetProperty("wsUrl").GetString()!);
        await call.WaitForAsync(m => IsStatus(m, "connected"));
        await bridge.WaitForTypeAsync("call.started");

        await call.DisposeAsync();
        await bridge.WaitForTypeAsync("call.ended");
        Assert.True(tg.Surface.IsArmed);

        var disarmed = await bridge.WaitForTypeAsync("surface.disarmed", timeout: TimeSpan.FromSeconds(6));
        Assert.Equal("auto", disarmed.GetProperty("reason").GetString());
        Assert.False(tg.Surface.IsArmed);
        using var refused = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData());
        await TelegramGateway.AssertRefusedAsync(refused, 409, "not_armed");
    }

    [Fact]
    public async Task Readiness_FlipsCheckByCheck()
    {
        await using var tg = await TelegramGateway.StartAsync();
        using var http = tg.Control();

        async Task<Dictionary<string, bool>> ChecksAsync()
        {
            using var response = await http.GetAsync("/api/capabilities");
            var body = await TelegramGateway.ReadAsync(response, 200);
            return body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("ok").GetBoolean());
        }

        // The bot is polling once the fake has seen a getUpdates.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (tg.Bot.Polls == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var checks = await ChecksAsync();
        Assert.Equal(
            ["realtime_enabled", "gateway_healthy", "control_connected", "armed", "public_origin", "bot_token", "bot_updates", "thread_bound", "budget_remaining", "backend", "control_secret"],
            checks.Keys);
        foreach (var passing in new[] { "realtime_enabled", "gateway_healthy", "bot_token", "bot_updates", "budget_remaining", "backend", "control_secret" })
        {
            Assert.True(checks[passing], passing);
        }

        foreach (var failing in new[] { "control_connected", "armed", "public_origin", "thread_bound" })
        {
            Assert.False(checks[failing], failing);
        }

        await using var bridge = await tg.ConnectBridgeAsync();
        Assert.True((await ChecksAsync())["control_connected"]);
        await bridge.SendAsync("""{"type":"bind","threadId":"t"}""");
        await bridge.WaitForTypeAsync("thread.bound");
        Assert.True((await ChecksAsync())["thread_bound"]);
        await bridge.SendAsync("""{"type":"arm"}""");
        await bridge.WaitForTypeAsync("surface.armed");
        Assert.True((await ChecksAsync())["armed"]);
        tg.Origin.Set(tg.Gateway.BaseUrl);
        checks = await ChecksAsync();
        Assert.True(checks["public_origin"]);
        Assert.True(checks.Values.All(ok => ok), string.Join(", ", checks.Where(c => !c.Value).Select(c => c.Key)));

        tg.Bot.TokenValid = false;
        checks = await ChecksAsync();
        Assert.False(checks["bot_token"]);
        Assert.False(checks["bot_updates"]);

        using var anonymous = new HttpClient { BaseAddress = new Uri(tg.Gateway.BaseUrl) };
        using var refused = await anonymous.GetAsync("/api/capabilities");
        await TelegramGateway.AssertRefusedAsync(refused, 401, "unauthorized");
    }
}
