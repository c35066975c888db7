using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Diagnostics;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.RateLimiting;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Server.RateLimiting;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Rate limits on a real redis-server (docs/cluster.md#rate-limits): two gateways on one Redis spend one bucket per
/// client; while Redis is down each falls back to its own bucket with a warning, and goes back to Redis when it returns.
/// </summary>
public sealed class RedisRateLimitTests
{
    private const int Burst = 3;

    private static Dictionary<string, string?> Settings(RedisServer redis, string node)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Node:Id"] = node;
        settings["Switchboard:Redis:Configuration"] = redis.Configuration;
        settings["Switchboard:RateLimits:DemoPerIp:TokenLimit"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Switchboard:RateLimits:DemoPerIp:TokensPerPeriod"] = "1";
        settings["Switchboard:RateLimits:DemoPerIp:ReplenishmentPeriodSeconds"] = "3600";
        settings["Logging:LogLevel:Switchboard.Server"] = "Information";
        return settings;
    }

    private static async Task<HttpStatusCode> DemoConfigAsync(GatewayFixture gateway)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.BaseUrl + "/demo/config");
        return response.StatusCode;
    }

    [Fact]
    public async Task PerAddressBucket_SharedByTwoNodes_FallsBackPerNodeWhileRedisIsDown_AndReturnsToRedis()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var logs = new LogCapture();
        await using var a = await GatewayFixture.StartAsync(Settings(redis, "node-a"), builder => builder.Services.AddSingleton<ILoggerProvider>(logs));
        await using var b = await GatewayFixture.StartAsync(Settings(redis, "node-b"));
        Assert.True(a.App.Services.GetRequiredService<RateLimitCounter>().Shared);

        // One bucket of 3 for this address, whichever node is asked.
        Assert.Equal(HttpStatusCode.OK, await DemoConfigAsync(a));
        Assert.Equal(HttpStatusCode.OK, await DemoConfigAsync(b));
        Assert.Equal(HttpStatusCode.OK, await DemoConfigAsync(a));
        Assert.Equal(HttpStatusCode.TooManyRequests, await DemoConfigAsync(b));
        Assert.Equal(HttpStatusCode.TooManyRequests, await DemoConfigAsync(a));
        using (var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            Assert.True(await client.GetDatabase().KeyExistsAsync(TokenBucketMath.RedisKey("DemoPerIp", "127.0.0.1")));
        }

        // Redis down: node-a counts on its own (a fresh bucket of 3), and says so once.
        await redis.StopAsync();
        for (var i = 0; i < Burst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await DemoConfigAsync(a));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await DemoConfigAsync(a));
        var fallback = logs.Lines.Where(l => l.EventId == EventIds.RateLimitSharedUnavailable).ToList();
        Assert.Single(fallback);
        Assert.DoesNotContain(redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",", fallback[0].Text, StringComparison.Ordinal);

        // Redis back (empty, as after a restart): node-a counts in Redis again, from a full shared bucket.
        await redis.StartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!logs.Lines.Any(l => l.EventId == EventIds.RateLimitSharedRestored))
        {
            Assert.True(DateTime.UtcNow < deadline, "the counter did not go back to Redis");
            await Task.Delay(200);
            await DemoConfigAsync(a);
        }

        using var again = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        Assert.True(await again.GetDatabase().KeyExistsAsync(TokenBucketMath.RedisKey("DemoPerIp", "127.0.0.1")));
    }
}
