using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Drain;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Telegram;
using Switchboard.Server.Sessions;
using Switchboard.Telegram;
using Switchboard.Testing.Telegram;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// The Telegram call surface across nodes (docs/cluster.md): gateways on one database and one real redis-server, one fake Bot
/// API. Arming, the bound thread and the one-live-call lease hold whichever node a request reaches; a bridge on one node follows
/// and hangs up a call on another; a lease whose node was killed frees itself when it expires.
/// </summary>
public sealed class TelegramClusterTests
{
    private const string LeaseSeconds = "3";

    private static Dictionary<string, string?> Settings(FakeBotApi bot, RedisServer redis, string database, string node) => new()
    {
        ["Switchboard:Sessions:SigningKey"] = Convert.ToBase64String(SessionApi.SigningKey),
        ["Switchboard:Local:PaceFactor"] = "0",
        ["Switchboard:Storage:SqlitePath"] = database,
        ["Switchboard:Node:Id"] = node,
        ["Switchboard:Redis:Configuration"] = redis.Configuration,
        ["Switchboard:Redis:SlotLeaseSeconds"] = LeaseSeconds,
        ["Switchboard:Telegram:BotToken"] = bot.Token,
        ["Switchboard:Telegram:ApiBaseUrl"] = bot.BaseUrl,
        ["Switchboard:Telegram:AllowedUserIds"] = "42",
        ["Switchboard:Telegram:PollTimeoutSeconds"] = "2",
        ["Switchboard:Realtime:ControlSecret"] = TelegramGateway.Secret,
    };

    private static async Task<string> LaunchTokenAsync(GatewayFixture node)
    {
        var key = await node.App.Services.GetRequiredService<SessionTokenSource>().GetLaunchTokenKeyAsync(CancellationToken.None);
        return LaunchTokens.Issue(key, "default", 42, 42, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(120)).Token;
    }

    private static async Task<HttpResponseMessage> BootstrapAsync(string baseUrl, string launchToken, FakeBotApi bot)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        return await http.PostAsJsonAsync("/api/call/bootstrap", new { launchToken, initData = InitDataSigner.Sign(bot.Token, 42, DateTimeOffset.UtcNow.AddSeconds(-3)) });
    }

    private static HttpClient Control(string baseUrl)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TelegramGateway.Secret);
        return http;
    }

    private static async Task<JsonElement> StatusAsync(string baseUrl)
    {
        using var http = Control(baseUrl);
        return await TelegramGateway.ReadAsync(await http.GetAsync("/api/call/status"), 200);
    }

    /// <summary>The bootstrap's wsUrl (path and query), on <paramref name="baseUrl"/>'s node.</summary>
    private static string SocketOn(string baseUrl, JsonElement boot)
    {
        var url = new Uri(boot.GetProperty("wsUrl").GetString()!);
        return "ws" + baseUrl["http".Length..] + url.PathAndQuery;
    }

    private static bool IsStatus(JsonElement m, string state) =>
        m.GetProperty("type").GetString() == "status" && m.GetProperty("payload").GetProperty("state").GetString() == state;

    private static async Task ArmAndBindAsync(string baseUrl, string thread)
    {
        await using var bridge = await SessionTestClient.ConnectAsync("ws" + baseUrl["http".Length..] + "/ws/bridge?secret=" + TelegramGateway.Secret);
        await bridge.WaitForTypeAsync("hello");
        await bridge.SendAsync($$"""{"type":"bind","threadId":"{{thread}}"}""");
        await bridge.WaitForTypeAsync("thread.bound");
        using var http = Control(baseUrl);
        Assert.True((await TelegramGateway.ReadAsync(await http.PostAsync("/api/call/arm", null), 200)).GetProperty("armed").GetBoolean());
    }

    private static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"), "switchboard.db");

    [Fact]
    public async Task ArmedOnNodeA_BootstrapOnNodeB_CallOnA_SecondCallRefusedBusyOnEither_ThenFreeAgain()
    {
        await using var bot = await FakeBotApi.StartAsync();
        await using var redis = await RedisServer.StartNewAsync();
        var database = NewDatabasePath();
        await using var a = await GatewayFixture.StartAsync(Settings(bot, redis, database, "node-a"));
        await using var b = await GatewayFixture.StartAsync(Settings(bot, redis, database, "node-b"));

        await ArmAndBindAsync(a.BaseUrl, "conv-9");
        var onB = await StatusAsync(b.BaseUrl);
        Assert.True(onB.GetProperty("armed").GetBoolean());
        Assert.Equal("conv-9", onB.GetProperty("threadId").GetString());

        // The operator's bridge is connected to node B only.
        await using var bridge = await SessionTestClient.ConnectAsync("ws" + b.BaseUrl["http".Length..] + "/ws/bridge?secret=" + TelegramGateway.Secret);
        await bridge.WaitForTypeAsync("hello");

        // Bootstrapped on node B, the page's socket lands on node A: the call runs there under the one lease.
        var boot = await TelegramGateway.ReadAsync(await BootstrapAsync(b.BaseUrl, await LaunchTokenAsync(b), bot), 200);
        Assert.Equal("conv-9", boot.GetProperty("threadId").GetString());
        await using var call = await SessionTestClient.ConnectAsync(SocketOn(a.BaseUrl, boot));
        var callId = (await call.WaitForAsync(m => IsStatus(m, "connected")))!.Value.GetProperty("payload").GetProperty("callId").GetString();
        var live = (await StatusAsync(b.BaseUrl)).GetProperty("call");
        Assert.Equal("live", live.GetProperty("state").GetString());
        Assert.Equal(callId, live.GetProperty("callId").GetString());

        await TelegramGateway.AssertRefusedAsync(await BootstrapAsync(b.BaseUrl, await LaunchTokenAsync(b), bot), 409, "busy");
        await TelegramGateway.AssertRefusedAsync(await BootstrapAsync(a.BaseUrl, await LaunchTokenAsync(a), bot), 409, "busy");

        // The bridge on node B follows the call on node A live, and hangs it up through node B.
        Assert.Equal(callId, (await bridge.WaitForTypeAsync("call.started")).GetProperty("callId").GetString());
        await call.WaitForAsync(m => IsStatus(m, "idle"));
        await call.SendTextAsync("across nodes");
        var turn = await bridge.WaitForTypeAsync("call.event", m => m.GetProperty("event").GetProperty("kind").GetString() == "AgentTurn");
        Assert.Equal("(echo) across nodes", turn.GetProperty("event").GetProperty("text").GetString());
        using (var control = Control(b.BaseUrl))
        {
            Assert.Equal("ending", (await TelegramGateway.ReadAsync(await control.PostAsync("/api/call/hangup", null), 200)).GetProperty("status").GetString());
        }

        var ended = await bridge.WaitForTypeAsync("call.ended", timeout: TimeSpan.FromSeconds(20));
        Assert.Equal(callId, ended.GetProperty("callId").GetString());
        Assert.Equal("operator_hangup", ended.GetProperty("reason").GetString());
        Assert.Equal("conv-9", ended.GetProperty("threadId").GetString());
        await call.WaitForCloseAsync();

        // The lease is released, and a bootstrap on node B succeeds again.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await StatusAsync(b.BaseUrl)).GetProperty("call").ValueKind != JsonValueKind.Null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the lease was not released");
            await Task.Delay(100);
        }

        await TelegramGateway.ReadAsync(await BootstrapAsync(b.BaseUrl, await LaunchTokenAsync(b), bot), 200);

        // Disarmed on node B: node A refuses.
        using var disarm = Control(b.BaseUrl);
        await TelegramGateway.ReadAsync(await disarm.PostAsync("/api/call/disarm", null), 200);
        await TelegramGateway.AssertRefusedAsync(await BootstrapAsync(a.BaseUrl, await LaunchTokenAsync(a), bot), 409, "not_armed");
    }

    [Fact]
    public async Task OwnerNodeKilled_ItsLiveLeaseExpires_AndAnotherNodeTakesTheNextCall()
    {
        await using var bot = await FakeBotApi.StartAsync();
        await using var redis = await RedisServer.StartNewAsync();
        var settings = Settings(bot, redis, "", "node-a");
        settings.Remove("Switchboard:Storage:SqlitePath");
        var owner = await GatewayProcess.StartAsync(settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!));
        try
        {
            await using var b = await GatewayFixture.StartAsync(Settings(bot, redis, owner.DatabasePath, "node-b"));
            await ArmAndBindAsync(b.BaseUrl, "conv-k");

            var boot = await TelegramGateway.ReadAsync(await BootstrapAsync(owner.BaseUrl, await LaunchTokenAsync(b), bot), 200);
            var call = await SessionTestClient.ConnectAsync(SocketOn(owner.BaseUrl, boot));
            await call.WaitForAsync(m => IsStatus(m, "connected"));
            await TelegramGateway.AssertRefusedAsync(await BootstrapAsync(b.BaseUrl, await LaunchTokenAsync(b), bot), 409, "busy");

            await owner.SignalAsync("KILL");
            await owner.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await call.DisposeAsync();

            // Nobody renews the dead node's lease; node B sees it expire (within the lease) and the next call starts.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await StatusAsync(b.BaseUrl)).GetProperty("call").ValueKind != JsonValueKind.Null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the dead node's lease never expired");
                await Task.Delay(200);
            }

            var next = await TelegramGateway.ReadAsync(await BootstrapAsync(b.BaseUrl, await LaunchTokenAsync(b), bot), 200);
            Assert.NotEqual(boot.GetProperty("sessionId").GetString(), next.GetProperty("sessionId").GetString());
        }
        finally
        {
            await owner.DisposeAsync();
        }
    }
}
