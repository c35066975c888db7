using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Configuration;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Network;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>Remote agent configuration against a real local app: what is asked, what is applied, caching, and every fallback.</summary>
public class RemoteAgentConfigTests
{
    private const string Answer = """
        {"instructions":"Only talk about orders.","greeting":"Hi from the app!",
         "tools":[{"name":"lookup_order","description":"Find an order","parameters":{"type":"object","properties":{"id":{"type":"string"}}}}]}
        """;

    private static AgentEndpoint Endpoint(string url, int ttlSeconds = 60, int timeoutMs = 2000, string? secret = "app") => new()
    {
        Id = Guid.NewGuid(),
        TeamId = Guid.NewGuid(),
        Name = "support",
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
        Spec = new AgentSpec
        {
            Instructions = "Stored instructions.",
            Greeting = "Stored greeting.",
            RemoteConfig = new RemoteConfigSpec { Url = url, Secret = secret, TtlSeconds = ttlSeconds, TimeoutMs = timeoutMs },
        },
    };

    private static RemoteAgentConfig Source(bool allowPrivate = true)
    {
        var options = new ToolOptions { AllowPrivateNetworks = allowPrivate, Secrets = new(StringComparer.Ordinal) { ["app"] = "s2s-key" } };
        return new(options, OutboundPolicy.From(new SwitchboardOptions { Tools = options }), TimeProvider.System, NullLogger.Instance);
    }

    [Fact]
    public async Task Fetch_AsksWithTheKeyAndContext_AndLaysTheAnswerOverTheStoredSpec()
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, Answer));
        using var source = Source();
        var endpoint = Endpoint(app.Url + "/voice-config?v=2");

        var spec = await source.ApplyAsync(endpoint, "twilio", "billing", CancellationToken.None);

        Assert.Equal("Only talk about orders.", spec.Instructions);
        Assert.Equal("Hi from the app!", spec.Greeting);
        Assert.Equal("lookup_order", Assert.Single(spec.Tools).Name);
        Assert.Equal(endpoint.Spec.Voice, spec.Voice);
        var request = Assert.Single(app.Requests);
        Assert.Equal("Bearer s2s-key", request.Authorization);
        Assert.Equal($"/voice-config?v=2&endpointId={endpoint.Id:D}&carrier=twilio&flow=billing", request.PathAndQuery);
    }

    [Fact]
    public async Task FieldsLeftOut_KeepTheStoredValues_AndANullGreetingRemovesIt()
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, """{"greeting":null}"""));
        using var source = Source();

        var spec = await source.ApplyAsync(Endpoint(app.Url), "websocket", null, CancellationToken.None);

        Assert.Equal("Stored instructions.", spec.Instructions);
        Assert.Null(spec.Greeting);
    }

    [Fact]
    public async Task WithinTheTtl_TheAnswerIsReused_AndConcurrentStartsShareOneFetch()
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, Answer), delayMs: 200);
        using var source = Source();
        var endpoint = Endpoint(app.Url);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => source.ApplyAsync(endpoint, "twilio", null, CancellationToken.None)));
        var again = await source.ApplyAsync(endpoint, "twilio", null, CancellationToken.None);

        Assert.Single(app.Requests);
        Assert.Equal("Hi from the app!", again.Greeting);
    }

    [Fact]
    public async Task AppDown_AfterAGoodAnswer_UsesTheLastGoodAnswer_ElseTheStoredSpec()
    {
        var status = 200;
        await using var app = await ConfigApp.StartAsync(_ => (status, Answer));
        using var source = Source();
        var endpoint = Endpoint(app.Url, ttlSeconds: 0);

        Assert.Equal("Hi from the app!", (await source.ApplyAsync(endpoint, "twilio", null, CancellationToken.None)).Greeting);
        status = 503;
        Assert.Equal("Hi from the app!", (await source.ApplyAsync(endpoint, "twilio", null, CancellationToken.None)).Greeting);
        Assert.Equal(2, app.Requests.Count);

        using var fresh = Source();
        Assert.Equal("Stored greeting.", (await fresh.ApplyAsync(endpoint, "twilio", null, CancellationToken.None)).Greeting);
    }

    [Theory]
    [InlineData("""{"instructions":"x","voice":"cedar"}""")]
    [InlineData("""{"instructions":5}""")]
    [InlineData("""{"tools":[{"name":"bad name"}]}""")]
    [InlineData("""{"tools":[{"name":"t","http":{"url":"https://crm.example.com","headers":[{"name":"Authorization","value":"Bearer leaked"}]}}]}""")]
    [InlineData("""not json""")]
    [InlineData("""[]""")]
    public async Task InvalidAnswer_IsNotUsed(string body)
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, body));
        using var source = Source();

        var spec = await source.ApplyAsync(Endpoint(app.Url), "twilio", null, CancellationToken.None);

        Assert.Equal("Stored instructions.", spec.Instructions);
        Assert.Equal("Stored greeting.", spec.Greeting);
    }

    /// <summary>Issue 21: the shapes that answered 500 on the REST API make the answer unusable here, never an exception.</summary>
    [Theory]
    [InlineData("""{"instructions":"\ud800"}""")]
    [InlineData("""{"greeting":"ok\udc00"}""")]
    [InlineData("""{"tools":[null]}""")]
    [InlineData("""{"tools":[{"name":"t","parameters":{"type":"object","enum":[null]}}]}""")]
    [InlineData("""{"tools":[{"name":"t","parameters":{"type":"object","description":"\ud800x"}}]}""")]
    [InlineData("""{"tools":[{"name":"t","timeoutSeconds":1e400}]}""")]
    [InlineData("""{"greeting":"a","greeting":"b"}""")]
    [InlineData("""{"tools":[{"name":"t","parameters":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}""")]
    public async Task HostileAnswer_FallsBackToTheStoredSpec(string body)
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, body));
        using var source = Source();

        var spec = await source.ApplyAsync(Endpoint(app.Url), "twilio", null, CancellationToken.None);

        Assert.Equal("Stored instructions.", spec.Instructions);
        Assert.Equal("Stored greeting.", spec.Greeting);
        Assert.Empty(spec.Tools);
    }

    /// <summary>Issue 21 against a real gateway: a hostile answer does not end the session (4500); it greets with the stored greeting.</summary>
    [Fact]
    public async Task TextSession_HostileAnswer_GoesOnWithTheStoredGreeting()
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, """{"greeting":"Remote \ud800 hello."}"""));
        var settings = SessionApi.Settings();
        settings["Switchboard:Tools:AllowPrivateNetworks"] = "true";
        settings["Switchboard:Tools:Secrets:app"] = "s2s-key";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Greeting = "Stored greeting.",
            RemoteConfig = new RemoteConfigSpec { Url = app.Url + "/config", Secret = "app" },
        });
        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);

        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var greeting = await client.WaitForTypeAsync("transcript", m => m.GetProperty("payload").GetProperty("role").GetString() == "agent");

        Assert.Equal("Stored greeting.", greeting.GetProperty("payload").GetProperty("text").GetString());
        Assert.Single(app.Requests);
    }

    [Fact]
    public async Task SlowApp_FallsBackAtTheTimeout()
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, Answer), delayMs: 3000);
        using var source = Source();
        var started = DateTime.UtcNow;

        var spec = await source.ApplyAsync(Endpoint(app.Url, timeoutMs: 200), "twilio", null, CancellationToken.None);

        Assert.Equal("Stored greeting.", spec.Greeting);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.5), "the fallback waited for the slow app");
    }

    [Fact]
    public async Task MissingSecret_OrPrivateAddressByDefault_SendsNothing()
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, Answer));
        using var noSecret = Source();
        using var guarded = Source(allowPrivate: false);

        Assert.Equal("Stored greeting.", (await noSecret.ApplyAsync(Endpoint(app.Url, secret: "absent"), "twilio", null, CancellationToken.None)).Greeting);
        Assert.Equal("Stored greeting.", (await guarded.ApplyAsync(Endpoint(app.Url), "twilio", null, CancellationToken.None)).Greeting);
        Assert.Empty(app.Requests);
    }

    [Fact]
    public async Task TextSession_GreetsWithTheRemoteGreeting()
    {
        await using var app = await ConfigApp.StartAsync(_ => (200, """{"greeting":"Remote hello."}"""));
        var settings = SessionApi.Settings();
        settings["Switchboard:Tools:AllowPrivateNetworks"] = "true";
        settings["Switchboard:Tools:Secrets:app"] = "s2s-key";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Greeting = "Stored greeting.",
            RemoteConfig = new RemoteConfigSpec { Url = app.Url + "/config", Secret = "app" },
        });
        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);

        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var greeting = await client.WaitForTypeAsync("transcript", m => m.GetProperty("payload").GetProperty("role").GetString() == "agent");

        Assert.Equal("Remote hello.", greeting.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal("Bearer s2s-key", Assert.Single(app.Requests).Authorization);
    }

    /// <summary>The owning app: answers every request with the status and body the test chooses, after an optional delay.</summary>
    private sealed class ConfigApp : IAsyncDisposable
    {
        private readonly LoopbackServer _server;

        private ConfigApp(LoopbackServer server) => _server = server;

        public string Url => _server.BaseUrl;

        public IReadOnlyCollection<RecordedRequest> Requests => _server.Requests;

        public static async Task<ConfigApp> StartAsync(Func<HttpRequest, (int Status, string Body)> answer, int delayMs = 0) =>
            new(await LoopbackServer.StartAsync(app => app.Run(async context =>
            {
                if (delayMs > 0)
                {
                    await Task.Delay(delayMs, context.RequestAborted);
                }

                var (status, body) = answer(context.Request);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(body);
            })));

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
