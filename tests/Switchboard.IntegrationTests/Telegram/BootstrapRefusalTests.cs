using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Limits;
using Switchboard.Server.Telegram;

namespace Switchboard.IntegrationTests.Telegram;

/// <summary>
/// <c>POST /api/call/bootstrap</c>: one test per refusal code, each a 4xx with <c>{"error","message"}</c>, and the launch token
/// that bootstraps exactly once.
/// </summary>
public sealed class BootstrapRefusalTests : IAsyncLifetime
{
    private TelegramGateway _tg = null!;

    public async Task InitializeAsync() => _tg = await TelegramGateway.StartAsync();

    public async Task DisposeAsync() => await _tg.DisposeAsync();

    [Fact]
    public async Task Bootstrap_Ready_AnswersWsUrlAndTokens()
    {
        _tg.Reset();
        _tg.Ready("thread-ok");

        using var response = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(), _tg.InitData());

        var body = await TelegramGateway.ReadAsync(response, 200);
        // The socket is on the public origin (here the configured, unreachable http://127.0.0.1:9).
        Assert.StartsWith("ws://127.0.0.1:9/ws/call?sessionId=" + body.GetProperty("sessionId").GetString() + "&token=", body.GetProperty("wsUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal("thread-ok", body.GetProperty("threadId").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("callToken").GetString()));
        Assert.Equal(600, body.GetProperty("maxCallSeconds").GetInt32());
        Assert.Equal("preparing", _tg.Surface.Describe()["call"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bootstrap_SameLaunchTokenTwice_SecondIsLaunchTokenUsed()
    {
        _tg.Reset();
        _tg.Ready();
        var token = await _tg.LaunchTokenAsync();
        using var first = await _tg.BootstrapAsync(token, _tg.InitData());
        var body = await TelegramGateway.ReadAsync(first, 200);
        // The page gives up on that call: its lease is released, so only the token's reuse can refuse the second.
        using var http = new HttpClient { BaseAddress = new Uri(_tg.Gateway.BaseUrl) };
        using var finalized = await http.PostAsync("/api/call/finalize", JsonContent(new { sessionId = body.GetProperty("sessionId").GetGuid(), callToken = body.GetProperty("callToken").GetString() }));
        Assert.Equal(200, (int)finalized.StatusCode);
        Assert.Null(_tg.Surface.Lease);

        using var second = await _tg.BootstrapAsync(token, _tg.InitData());

        await TelegramGateway.AssertRefusedAsync(second, 409, CallRefusal.LaunchTokenUsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("eyJ2MSJ9.AAAA")]
    public async Task Bootstrap_BadLaunchToken_IsLaunchTokenInvalid(string token)
    {
        _tg.Reset();
        _tg.Ready();

        using var response = await _tg.BootstrapAsync(token, _tg.InitData());

        await TelegramGateway.AssertRefusedAsync(response, 401, CallRefusal.LaunchTokenInvalid);
    }

    [Fact]
    public async Task Bootstrap_TokenOfAnotherUser_IsLaunchTokenInvalid()
    {
        _tg.Reset();
        _tg.Ready();

        using var response = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(userId: 43), _tg.InitData(TelegramGateway.Allowed));

        await TelegramGateway.AssertRefusedAsync(response, 401, CallRefusal.LaunchTokenInvalid);
    }

    [Fact]
    public async Task Bootstrap_ExpiredLaunchToken_IsLaunchTokenExpired()
    {
        _tg.Reset();
        _tg.Ready();

        using var response = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(age: TimeSpan.FromSeconds(121)), _tg.InitData());

        await TelegramGateway.AssertRefusedAsync(response, 401, CallRefusal.LaunchTokenExpired);
    }

    [Fact]
    public async Task Bootstrap_TamperedInitData_IsInitDataInvalid()
    {
        _tg.Reset();
        _tg.Ready();
        var tampered = _tg.InitData().Replace("%22first_name%22%3A%22Test%22", "%22first_name%22%3A%22Eve%22", StringComparison.Ordinal);
        Assert.NotEqual(_tg.InitData(), tampered);

        using var response = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(), tampered);

        await TelegramGateway.AssertRefusedAsync(response, 401, CallRefusal.InitDataInvalid);
    }

    [Fact]
    public async Task Bootstrap_StaleInitData_IsInitDataInvalid()
    {
        _tg.Reset();
        _tg.Ready();

        using var response = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(), _tg.InitData(age: TimeSpan.FromHours(2)));

        var body = await TelegramGateway.AssertRefusedAsync(response, 401, CallRefusal.InitDataInvalid);
        Assert.Contains("stale", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bootstrap_InitDataSignedByAnotherBot_IsInitDataInvalid()
    {
        _tg.Reset();
        _tg.Ready();
        var forged = Switchboard.Testing.Telegram.InitDataSigner.Sign("7000001:some-other-secret", TelegramGateway.Allowed, DateTimeOffset.UtcNow);

        using var response = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(), forged);

        await TelegramGateway.AssertRefusedAsync(response, 401, CallRefusal.InitDataInvalid);
    }

    [Fact]
    public async Task Bootstrap_UserNotOnTheAllowList_IsNotAllowed()
    {
        _tg.Reset();
        _tg.Ready();

        using var response = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(TelegramGateway.Stranger), _tg.InitData(TelegramGateway.Stranger));

        await TelegramGateway.AssertRefusedAsync(response, 403, CallRefusal.NotAllowed);
    }

    [Fact]
    public async Task Bootstrap_NotArmed_IsNotArmedAndTheSameButtonWorksOnceArmed()
    {
        _tg.Reset();
        _tg.Surface.Bind("thread-1");
        var token = await _tg.LaunchTokenAsync();

        using var refused = await _tg.BootstrapAsync(token, _tg.InitData());
        await TelegramGateway.AssertRefusedAsync(refused, 409, CallRefusal.NotArmed);

        _tg.Surface.Arm("test");
        using var accepted = await _tg.BootstrapAsync(token, _tg.InitData());
        await TelegramGateway.ReadAsync(accepted, 200);
    }

    [Fact]
    public async Task Bootstrap_NoThreadBound_IsNoThread()
    {
        await using var tg = await TelegramGateway.StartAsync();
        tg.Surface.Arm("test");

        using var response = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData());

        await TelegramGateway.AssertRefusedAsync(response, 409, CallRefusal.NoThread);
    }

    [Fact]
    public async Task Bootstrap_AnotherCallPrepared_IsBusy()
    {
        _tg.Reset();
        _tg.Ready();
        using var first = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(), _tg.InitData());
        await TelegramGateway.ReadAsync(first, 200);

        using var second = await _tg.BootstrapAsync(await _tg.LaunchTokenAsync(), _tg.InitData());

        await TelegramGateway.AssertRefusedAsync(second, 409, CallRefusal.Busy);
    }

    [Fact]
    public async Task Bootstrap_DailyBudgetUsed_IsBudgetExhausted()
    {
        await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?> { ["Switchboard:Realtime:MaxDailyCallSeconds"] = "30" });
        tg.Ready();
        // The bridge's endpoint has used 31 s today (as a finished call would have booked it).
        var services = tg.Gateway.App.Services;
        var endpoint = services.GetRequiredService<BridgeEndpoint>().Current!;
        var zone = (await services.GetRequiredService<TeamLimitsCache>().GetAsync(endpoint.TeamId, CancellationToken.None)).Zone;
        var scope = await services.GetRequiredService<UsageLedger>().TodayAsync(endpoint.TeamId, endpoint.Id, zone, CancellationToken.None);
        var start = TimeProvider.System.GetTimestamp();
        scope.Join(start);
        scope.Leave(start, 31, 0);

        using var response = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData());

        await TelegramGateway.AssertRefusedAsync(response, 429, CallRefusal.BudgetExhausted);
        Assert.True(response.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task Bootstrap_PerUserLimit_IsRateLimitedButFailedInitDataDoesNotCount()
    {
        await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Realtime:BootstrapPerUser:TokenLimit"] = "2",
            ["Switchboard:Realtime:BootstrapPerUser:TokensPerPeriod"] = "1",
            ["Switchboard:Realtime:BootstrapPerUser:ReplenishmentPeriodSeconds"] = "3600",
        });
        // Forged initData for the user, many times: refused, and it must not use up the user's bucket.
        for (var i = 0; i < 5; i++)
        {
            using var forged = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), Switchboard.Testing.Telegram.InitDataSigner.Sign("7000001:wrong", TelegramGateway.Allowed, DateTimeOffset.UtcNow));
            await TelegramGateway.AssertRefusedAsync(forged, 401, CallRefusal.InitDataInvalid);
        }

        for (var i = 0; i < 2; i++)
        {
            using var counted = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData());
            await TelegramGateway.AssertRefusedAsync(counted, 409, CallRefusal.NotArmed);
        }

        using var limited = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData());

        await TelegramGateway.AssertRefusedAsync(limited, 429, CallRefusal.RateLimited);
    }

    [Fact]
    public async Task Bootstrap_PerAddressLimit_IsRateLimited()
    {
        await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Realtime:BootstrapPerIp:TokenLimit"] = "3",
            ["Switchboard:Realtime:BootstrapPerIp:TokensPerPeriod"] = "1",
            ["Switchboard:Realtime:BootstrapPerIp:ReplenishmentPeriodSeconds"] = "3600",
        });
        for (var i = 0; i < 3; i++)
        {
            using var garbage = await tg.BootstrapAsync("x", "y");
            await TelegramGateway.AssertRefusedAsync(garbage, 401, CallRefusal.LaunchTokenInvalid);
        }

        using var limited = await tg.BootstrapAsync(await tg.LaunchTokenAsync(), tg.InitData());

        await TelegramGateway.AssertRefusedAsync(limited, 429, CallRefusal.RateLimited);
    }

    [Fact]
    public async Task Bootstrap_NotJson_IsBadRequestNot5xx()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_tg.Gateway.BaseUrl) };

        using var response = await http.PostAsync("/api/call/bootstrap", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));

        await TelegramGateway.AssertRefusedAsync(response, 400, CallRefusal.BadRequest);
    }

    private static StringContent JsonContent(object value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
