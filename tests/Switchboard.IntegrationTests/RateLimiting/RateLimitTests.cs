using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Control;
using Switchboard.Diagnostics;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.RateLimiting;

/// <summary>
/// Rate limits over real HTTP and WebSockets (<c>Switchboard:RateLimits</c>): each test starts its own gateway with tiny
/// buckets, since every test client is the same address (127.0.0.1). Buckets that must stay empty get long periods, so a
/// slow machine cannot refill them mid-test.
/// </summary>
public sealed class RateLimitTests
{
    private const string TeamPath = "/api/v1/team";

    private static Dictionary<string, string?> Bucket(string name, int tokenLimit, int tokensPerPeriod = 1, double periodSeconds = 60)
    {
        var settings = SessionApi.Settings();
        settings[$"Switchboard:RateLimits:{name}:TokenLimit"] = tokenLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[$"Switchboard:RateLimits:{name}:TokensPerPeriod"] = tokensPerPeriod.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[$"Switchboard:RateLimits:{name}:ReplenishmentPeriodSeconds"] = periodSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    private static HttpClient Client(GatewayFixture gateway, string? key = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        return http;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.StatusCode;
    }

    /// <summary>Checks a 429: Retry-After in whole seconds within [1, <paramref name="maxRetryAfter"/>], and a problem naming the limit.</summary>
    private static async Task<JsonElement> AssertTooManyAsync(HttpResponseMessage response, string scope, int maxRetryAfter)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"expected 429, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds >= 1 && seconds <= maxRetryAfter, $"Retry-After: {retryAfter}");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("Too Many Requests", problem.GetProperty("title").GetString());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem.GetProperty("type").GetString());
        Assert.Equal(scope, problem.GetProperty("rateLimit").GetString());
        Assert.Equal(seconds, problem.GetProperty("retryAfterSeconds").GetInt32());
        Assert.Contains($"retry after {seconds} s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }

    [Fact]
    public async Task ApiKey_OverItsBucket_Is429WithRetryAfterAndProblem()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("ApiPerKey", 3, periodSeconds: 30));
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin);
        using var http = Client(gateway, key);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, TeamPath));
        }

        using var refused = await http.GetAsync(TeamPath);
        var problem = await AssertTooManyAsync(refused, "key", maxRetryAfter: 30);
        Assert.Equal("Too many requests with this API key; retry after " + problem.GetProperty("retryAfterSeconds").GetInt32() + " s.", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(key[..11], problem.ToString(), StringComparison.Ordinal);
        // Every route shares the key's bucket, not just the one that emptied it.
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(http, "/api/v1/endpoints"));
    }

    [Fact]
    public async Task ApiKey_Exhausted_DoesNotLimitOtherKeysOfItsTeamOrAnotherTeam()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("ApiPerKey", 2));
        var other = await SessionApi.CreateTeamAsync(gateway);
        using var a = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));
        using var sameTeam = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));
        using var otherTeam = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin, other.Id));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(a, TeamPath));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(a, TeamPath));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(a, TeamPath));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(sameTeam, TeamPath));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(otherTeam, TeamPath));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(otherTeam, TeamPath));
    }

    [Fact]
    public async Task Team_Exhausted_LimitsEveryKeyOfThatTeamOnly()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("ApiPerTeam", 3));
        var other = await SessionApi.CreateTeamAsync(gateway);
        using var a = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));
        using var b = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));
        using var otherTeam = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin, other.Id));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(a, TeamPath));
        }

        // Key b has spent nothing, but its team has.
        using var refused = await b.GetAsync(TeamPath);
        var problem = await AssertTooManyAsync(refused, "team", maxRetryAfter: 60);
        Assert.StartsWith("Too many requests for this team", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(otherTeam, TeamPath));
    }

    [Fact]
    public async Task BadKeyFlood_FromOneAddress_IsThrottledBeforeTheKeyLookup()
    {
        var settings = Bucket("ApiPerIp", 5);
        settings["Logging:LogLevel:Switchboard.Server"] = "Information";
        var logs = new LogCapture();
        await using var gateway = await GatewayFixture.StartAsync(settings, builder => builder.Services.AddSingleton<ILoggerProvider>(logs));
        var valid = await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin);
        var (guessed, _, _) = ApiKeyFormat.Generate();
        using var guesser = Client(gateway, guessed);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(guesser, TeamPath));
        }

        for (var i = 0; i < 10; i++)
        {
            using var refused = await guesser.GetAsync(TeamPath);
            await AssertTooManyAsync(refused, "ip", maxRetryAfter: 60);
        }

        // The address is out of tokens, whatever key it presents; other entry points have their own buckets.
        using (var withValidKey = Client(gateway, valid))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(withValidKey, TeamPath));
            Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(withValidKey, "/api/v1/calls"));
            using var session = await SessionApi.PostAsync(gateway, valid, SessionApi.DefaultEndpoint(gateway).Id);
            Assert.Equal(HttpStatusCode.TooManyRequests, session.StatusCode);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(withValidKey, "/healthz"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(withValidKey, "/demo/config"));
        }

        // Refused requests never reached the key lookup: only the first five guesses were rejected as unknown keys.
        var lines = logs.Lines;
        Assert.Equal(5, lines.Count(l => l.EventId == EventIds.ApiRequestRejected));
        // One refusal line for the flood (the rest wait for the next window), with the address masked, never a key.
        var refusal = Assert.Single(lines, l => l.EventId == EventIds.RateLimitRefused);
        Assert.Contains("ApiPerIp", refusal.Text, StringComparison.Ordinal);
        Assert.Contains("127.0.0.0/24", refusal.Text, StringComparison.Ordinal);
        // (The start-up report's listen URL is the only line allowed to name 127.0.0.1.)
        var requestLines = lines.Where(l => l.Category.StartsWith("Switchboard.Server.", StringComparison.Ordinal) && !l.Category.EndsWith("StartupReport", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(requestLines);
        Assert.DoesNotContain(requestLines, l => l.Text.Contains("127.0.0.1", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Text.Contains(guessed, StringComparison.Ordinal) || l.Text.Contains(valid, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionCreation_OverItsBucket_Is429WhileOtherRoutesPass()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("SessionsPerKey", 2));
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.CreateCallToken | ApiScopes.ReadTeamApps);
        var endpoint = SessionApi.DefaultEndpoint(gateway).Id;

        await SessionApi.CreateSessionAsync(gateway, key);
        await SessionApi.CreateSessionAsync(gateway, key);
        using var refused = await SessionApi.PostAsync(gateway, key, endpoint);
        var problem = await AssertTooManyAsync(refused, "sessions", maxRetryAfter: 60);
        Assert.StartsWith("Too many sessions created with this API key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The key's general API budget is not the one spent.
        using var http = Client(gateway, key);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/api/v1/endpoints"));
        // Another key of the team has its own sessions bucket (the team's holds 200 by default).
        await SessionApi.CreateSessionAsync(gateway, await SessionApi.CreateKeyAsync(gateway));
    }

    [Fact]
    public async Task SessionCreation_TeamBucketExhausted_LimitsTheTeamsOtherKeys()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("SessionsPerTeam", 2));
        var first = await SessionApi.CreateKeyAsync(gateway);
        var second = await SessionApi.CreateKeyAsync(gateway);

        await SessionApi.CreateSessionAsync(gateway, first);
        await SessionApi.CreateSessionAsync(gateway, first);
        using var refused = await SessionApi.PostAsync(gateway, second, SessionApi.DefaultEndpoint(gateway).Id);

        var problem = await AssertTooManyAsync(refused, "sessions", maxRetryAfter: 60);
        Assert.StartsWith("Too many sessions created for this team", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CarrierEntryPoints_OverTheAddressBucket_Are429BeforeTheUpgrade()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("CarriersPerIp", 3, periodSeconds: 30));

        using (var http = Client(gateway))
        using (var twiml = await http.PostAsync("/twilio/twiml", new FormUrlEncodedContent([new("CallSid", "CA1")])))
        {
            Assert.Equal(HttpStatusCode.OK, twiml.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var accepted = new ClientWebSocket();
            await accepted.ConnectAsync(new Uri(gateway.WebSocketUrl("/twilio")), CancellationToken.None);
            await accepted.CloseAsync(WebSocketCloseStatus.NormalClosure, "test", CancellationToken.None);
        }

        await AssertUpgradeRefusedAsync(gateway.WebSocketUrl("/twilio"), maxRetryAfter: 30);
        // Twilio and Telnyx share the carrier bucket of an address.
        await AssertUpgradeRefusedAsync(gateway.WebSocketUrl("/telnyx?token=t"), maxRetryAfter: 30);
        using (var http = Client(gateway))
        using (var twiml = await http.PostAsync("/twilio/twiml", new FormUrlEncodedContent([new("CallSid", "CA2")])))
        {
            await AssertTooManyAsync(twiml, "ip", maxRetryAfter: 30);
        }
    }

    [Fact]
    public async Task SessionSocket_OverTheAddressBucket_Is429BeforeTheUpgrade()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("SessionSocketsPerIp", 1));
        using (var accepted = new ClientWebSocket())
        {
            // Admitted by the limit: upgraded, then closed for its missing credentials.
            await accepted.ConnectAsync(new Uri(SessionApi.SocketUrl(gateway, null, null)), CancellationToken.None);
            var buffer = new byte[256];
            var result = await accepted.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        }

        await AssertUpgradeRefusedAsync(SessionApi.SocketUrl(gateway, null, null), maxRetryAfter: 60);
        using var http = Client(gateway);
        using var plain = await http.GetAsync("/ws/session");
        await AssertTooManyAsync(plain, "ip", maxRetryAfter: 60);
    }

    [Fact]
    public async Task DemoRoutes_OverTheAddressBucket_Are429()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("DemoPerIp", 2));
        using var http = Client(gateway);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/demo/config"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/demo/config"));
        using var refused = await http.PostAsync("/demo/sessions", new StringContent("""{"mode":"text"}""", System.Text.Encoding.UTF8, "application/json"));

        await AssertTooManyAsync(refused, "ip", maxRetryAfter: 60);
        // No bucket on health, the talk page, the OpenAPI document.
        foreach (var path in new[] { "/healthz", "/health", "/", "/sdk/switchboard.js", "/openapi/v1.json" })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, path));
        }
    }

    [Fact]
    public async Task AfterThePeriod_RequestsPassAgain()
    {
        await using var gateway = await GatewayFixture.StartAsync(Bucket("ApiPerKey", 1, tokensPerPeriod: 1, periodSeconds: 1));
        using var http = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, TeamPath));
        using (var refused = await http.GetAsync(TeamPath))
        {
            await AssertTooManyAsync(refused, "key", maxRetryAfter: 1);
        }

        var clock = Stopwatch.StartNew();
        var status = HttpStatusCode.TooManyRequests;
        while (status == HttpStatusCode.TooManyRequests && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200);
            status = await StatusAsync(http, TeamPath);
        }

        Assert.Equal(HttpStatusCode.OK, status);
        // One token per period: the next request right away is refused again.
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(http, TeamPath));
    }

    [Fact]
    public async Task Disabled_TinyBucketsDoNotApply()
    {
        var settings = Bucket("ApiPerKey", 1);
        foreach (var (key, value) in Bucket("ApiPerIp", 1))
        {
            settings[key] = value;
        }

        settings["Switchboard:RateLimits:Enabled"] = "false";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        using var http = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, TeamPath));
        }
    }

    [Fact]
    public async Task OneBucketDisabled_OnlyThatLimitIsLifted()
    {
        var settings = Bucket("ApiPerKey", 1);
        foreach (var (key, value) in Bucket("ApiPerTeam", 3))
        {
            settings[key] = value;
        }

        settings["Switchboard:RateLimits:ApiPerKey:Enabled"] = "false";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        using var http = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, TeamPath));
        }

        using var refused = await http.GetAsync(TeamPath);
        await AssertTooManyAsync(refused, "team", maxRetryAfter: 60);
    }

    /// <summary>A WebSocket upgrade answered 429 with a Retry-After, never upgraded.</summary>
    private static async Task AssertUpgradeRefusedAsync(string url, int maxRetryAfter)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(url), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, socket.HttpStatusCode);
        var headers = socket.HttpResponseHeaders ?? throw new InvalidOperationException("no response headers");
        var retryAfter = headers.First(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value.Single();
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds >= 1 && seconds <= maxRetryAfter, $"Retry-After: {retryAfter}");
    }
}
