using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Network;
using Switchboard.Testing;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Outbound;

/// <summary>
/// The outbound (SSRF) policy on a real gateway (docs/security.md, "Outbound requests (SSRF)"). Every target is a
/// loopback listener or an address refused before any packet is sent: no test sends traffic anywhere else.
/// </summary>
public class OutboundPolicyGatewayTests
{
    /// <summary>Webhook settings without the loopback allowance <see cref="WebhookTestKit.Settings"/> adds, plus <paramref name="allowed"/>.</summary>
    private static Dictionary<string, string?> Settings(params string[] allowed)
    {
        var settings = WebhookTestKit.Settings(new() { ["Switchboard:Webhooks:MaxAttempts"] = "1" });
        settings.Remove("Switchboard:Network:AllowedPrivateNetworks:0");
        for (var i = 0; i < allowed.Length; i++)
        {
            settings[$"Switchboard:Network:AllowedPrivateNetworks:{i}"] = allowed[i];
        }

        return settings;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Stores a subscription directly, bypassing the API's validation (as a row written before this policy existed would be).</summary>
    private static async Task SubscribeDirectlyAsync(GatewayFixture gateway, string url) =>
        await gateway.Store.CreateWebhookSubscriptionAsync(new WebhookSubscription
        {
            Id = Guid.NewGuid(),
            TeamId = SessionApi.DefaultTeam(gateway).Id,
            Url = url,
            EventTypes = [WebhookEventTypes.ToolFailed],
            Secret = WebhookSecret.Generate(),
            CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);

    [Fact]
    public async Task WebhookCreate_LoopbackInAnySpelling_Is400NamingUrlAndTheRule()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        using var http = WebhookTestKit.Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints));

        foreach (var url in new[]
        {
            "http://127.0.0.1:9/hooks", "http://2130706433/hooks", "http://0x7f000001/hooks", "http://127.1/hooks", "http://[::1]/hooks",
            "http://[::ffff:127.0.0.1]/hooks", "http://localhost/hooks", "http://LOCALHOST./hooks", "http://foo.localhost/hooks",
            "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hooks",
        })
        {
            using var response = await http.PostAsync("/api/v1/webhooks", WebhookTestKit.Json($$"""{"url":"{{url}}","eventTypes":["call.ended"]}"""));
            var problem = await ProblemAsync(response);
            var message = problem.GetProperty("errors").GetProperty("url")[0].GetString()!;
            Assert.Contains("which the gateway refuses; see Switchboard:Network:AllowedPrivateNetworks", message, StringComparison.Ordinal);
            Assert.StartsWith("url ", message, StringComparison.Ordinal);
        }

        using var loopback = await http.PostAsync("/api/v1/webhooks", WebhookTestKit.Json("""{"url":"http://127.0.0.1:9/hooks","eventTypes":["call.ended"]}"""));
        Assert.Contains("a loopback address (127.0.0.1)", (await ProblemAsync(loopback)).GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await gateway.Store.ListWebhookSubscriptionsAsync(SessionApi.DefaultTeam(gateway).Id, CancellationToken.None));
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hooks")]
    [InlineData("http://localhost:{port}/hooks")] // a name resolving to loopback: caught after resolution
    [InlineData("http://check.localhost:{port}/hooks")]
    [InlineData("http://2130706433:{port}/hooks")]
    public async Task WebhookDelivery_StoredLoopbackUrl_IsRefusedAtConnectTime_ReceiverGetsNothing(string template)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        await SubscribeDirectlyAsync(gateway, template.Replace("{port}", new Uri(receiver.BaseUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        await WebhookTestKit.EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id);

        var delivery = Assert.Single(await WebhookTestKit.WaitForDeliveriesAsync(gateway, key, d => d.Length == 1 && d[0].GetProperty("status").GetString() == "failed"));
        Assert.Equal(OutboundPolicy.RefusedReason, delivery.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("lastStatus").ValueKind);
        Assert.Empty(receiver.Received);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hooks", "127.0.0.0/8")]
    [InlineData("http://localhost:{port}/hooks", "127.0.0.0/8,::1")] // localhost is both loopbacks: both must be allowed
    public async Task WebhookDelivery_LoopbackAllowedByTheOperator_IsDelivered(string template, string allowed)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings(allowed.Split(',')));
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        var url = template.Replace("{port}", new Uri(receiver.BaseUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await WebhookTestKit.SubscribeAsync(gateway, key, url, ["tool.failed"]); // accepted by the API now

        await WebhookTestKit.EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id);

        var delivery = Assert.Single(await WebhookTestKit.WaitForDeliveriesAsync(gateway, key, d => d.Length == 1 && d[0].GetProperty("status").GetString() != "pending"));
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task WebhookDelivery_ReceiverAnswers500WithABody_OnlyTheStatusIsRecorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult<int?>(500); // the receiver writes "receiver says no" and 1000 z's
        await using var gateway = await GatewayFixture.StartAsync(Settings("127.0.0.0/8"));
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        await WebhookTestKit.SubscribeAsync(gateway, key, receiver.Url, ["tool.failed"]);

        await WebhookTestKit.EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id);

        var delivery = Assert.Single(await WebhookTestKit.WaitForDeliveriesAsync(gateway, key, d => d.Length == 1 && d[0].GetProperty("status").GetString() == "failed"));
        Assert.Equal(500, delivery.GetProperty("lastStatus").GetInt32());
        Assert.Equal("HTTP 500", delivery.GetProperty("lastError").GetString());
        Assert.DoesNotContain("receiver says no", delivery.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebhookDelivery_NothingListening_ReadsConnectionFailed()
    {
        // A closed loopback port (allowed): the reason is one fixed text whatever the network said, so it cannot map ports.
        int port;
        await using (var gone = await LoopbackServer.StartAsync(app => { }))
        {
            port = new Uri(gone.BaseUrl).Port;
        }

        await using var gateway = await GatewayFixture.StartAsync(Settings("127.0.0.0/8"));
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        await WebhookTestKit.SubscribeAsync(gateway, key, $"http://127.0.0.1:{port}/hooks", ["tool.failed"]);

        await WebhookTestKit.EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id);

        var delivery = Assert.Single(await WebhookTestKit.WaitForDeliveriesAsync(gateway, key, d => d.Length == 1 && d[0].GetProperty("status").GetString() == "failed"));
        Assert.Equal(WebhookDispatcher.ConnectionFailedReason, delivery.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task EndpointWrite_HttpToolOrRemoteConfigOnLoopback_Is400NamingTheField_UnlessAllowed()
    {
        const string body = """
            { "name": "ssrf", "tools": [ { "name": "lookup", "http": { "url": "http://0x7f000001:9/x" } } ],
              "remoteConfig": { "url": "http://[::ffff:169.254.169.254]/latest" } }
            """;
        await using (var strict = await GatewayFixture.StartAsync(Settings()))
        {
            using var http = WebhookTestKit.Client(strict, await SessionApi.CreateKeyAsync(strict, ApiScopes.ManageEndpoints));
            using var response = await http.PostAsync("/api/v1/endpoints", WebhookTestKit.Json(body));
            var errors = (await ProblemAsync(response)).GetProperty("errors");
            Assert.Contains("'lookup': http.url resolves to a loopback address (127.0.0.1)", errors.GetProperty("tools")[0].GetString(), StringComparison.Ordinal);
            Assert.Contains("remoteConfig.url resolves to a link-local address", errors.GetProperty("remoteConfig.url")[0].GetString(), StringComparison.Ordinal);
        }

        await using var allowing = await GatewayFixture.StartAsync(Settings("127.0.0.0/8", "169.254.169.254"));
        using var allowed = WebhookTestKit.Client(allowing, await SessionApi.CreateKeyAsync(allowing, ApiScopes.ManageEndpoints));
        using var created = await allowed.PostAsync("/api/v1/endpoints", WebhookTestKit.Json(body));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpTool_OnLoopback_IsRefusedBeforeConnecting_UnlessAllowed(bool allow)
    {
        await using var tool = await LoopbackServer.StartAsync(app => app.Run(context => context.Response.WriteAsync("""{"ok":true}""")));
        await using var gateway = await GatewayFixture.StartAsync(allow ? Settings("127.0.0.0/8") : Settings());
        var invoker = gateway.App.Services.GetRequiredService<IToolInvoker>(); // the gateway's own, configured as it runs calls
        var spec = new ToolSpec { Name = "lookup", Http = new HttpToolSpec { Url = tool.BaseUrl + "/x" } };
        var runner = new ToolRunner([spec], invoker, TimeProvider.System, NullLogger.Instance, new ToolCallContext(Guid.NewGuid(), Guid.NewGuid(), "twilio", null));

        var outcome = await runner.RunAsync("call", "fc", "lookup", "{}", CancellationToken.None);

        if (allow)
        {
            Assert.Equal("ok", outcome.Status);
            Assert.Single(tool.Requests);
        }
        else
        {
            Assert.Equal("tool_unreachable", outcome.Status);
            Assert.Contains("outbound policy", outcome.OutputJson, StringComparison.Ordinal);
            Assert.Empty(tool.Requests);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemoteConfig_OnLoopback_IsNotFetched_UnlessAllowed(bool allow)
    {
        await using var app = await LoopbackServer.StartAsync(a => a.Run(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"greeting":"Remote hello."}""");
        }));
        var settings = allow ? Settings("127.0.0.0/8") : Settings();
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Greeting = "Stored greeting.",
            RemoteConfig = new RemoteConfigSpec { Url = app.BaseUrl + "/config" },
        });
        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);

        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var greeting = await client.WaitForTypeAsync("transcript", m => m.GetProperty("payload").GetProperty("role").GetString() == "agent");

        Assert.Equal(allow ? "Remote hello." : "Stored greeting.", greeting.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal(allow ? 1 : 0, app.Requests.Count);
    }
}
