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

namespace Switchboard.IntegrationTests.Compatibility;

/// <summary>
/// Multi-tenant org servers' own configuration answer (issue 17): <c>GET {APP_URL}/api/realtime/org-config?orgId=…</c>
/// answering <c>{ systemPrompt, menu, settings… }</c>, read through the endpoint's <c>remoteConfig.mapping</c> with the
/// server-to-server key (<c>INTERNAL_API_KEY</c> is the secret <c>internal</c>); anything malformed falls back.
/// </summary>
public class OrgConfigMappingTests
{
    private const string OrgAnswer = """
        {"orgId":"org-7","orgName":"Pizzeria Roma","systemPrompt":"You take orders for Pizzeria Roma.",
         "menu":{"pizzas":[{"name":"Margherita","price":9.5}]},
         "settings":{"greeting":"Pizzeria Roma, ciao!","language":"it"}}
        """;

    private static readonly RemoteConfigMappingSpec Mapping = new() { Instructions = "systemPrompt", Greeting = "settings.greeting", Menu = "menu" };

    private static AgentEndpoint Endpoint(string url) => new()
    {
        Id = Guid.NewGuid(),
        TeamId = Guid.NewGuid(),
        Name = "roma",
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
        Spec = new AgentSpec
        {
            Instructions = "Stored instructions.",
            Greeting = "Stored greeting.",
            ExternalId = "org-7",
            RemoteConfig = new RemoteConfigSpec { Url = url, Secret = "internal", Mapping = Mapping },
        },
    };

    private static RemoteAgentConfig Source()
    {
        var options = new ToolOptions { AllowPrivateNetworks = true, Secrets = new(StringComparer.Ordinal) { ["internal"] = "s2s-key" } };
        return new(options, OutboundPolicy.From(new SwitchboardOptions { Tools = options }), TimeProvider.System, NullLogger.Instance);
    }

    private static Task<LoopbackServer> AppAsync(string body) =>
        LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }));

    [Fact]
    public async Task OrgConfigAnswer_MapsPromptAndGreeting_AppendsTheMenu_AsksWithTheOrgIdAndKey()
    {
        await using var app = await AppAsync(OrgAnswer);
        using var source = Source();
        var endpoint = Endpoint(app.BaseUrl + "/api/realtime/org-config");

        var spec = await source.ApplyAsync(endpoint, "twilio", null, CancellationToken.None);

        Assert.Equal("You take orders for Pizzeria Roma.\n\nMenu (JSON):\n{\"pizzas\":[{\"name\":\"Margherita\",\"price\":9.5}]}", spec.Instructions);
        Assert.Equal("Pizzeria Roma, ciao!", spec.Greeting);
        var request = Assert.Single(app.Requests);
        Assert.Equal("Bearer s2s-key", request.Authorization);
        Assert.Equal($"/api/realtime/org-config?endpointId={endpoint.Id:D}&carrier=twilio&orgId=org-7", request.PathAndQuery);
    }

    [Fact]
    public async Task FieldsTheAnswerLacks_KeepTheStoredValues_TheMenuStillAppended()
    {
        await using var app = await AppAsync("""{"menu":[{"name":"Tiramisu"}],"other":true}""");
        using var source = Source();

        var spec = await source.ApplyAsync(Endpoint(app.BaseUrl), "websocket", null, CancellationToken.None);

        Assert.Equal("Stored instructions.\n\nMenu (JSON):\n[{\"name\":\"Tiramisu\"}]", spec.Instructions);
        Assert.Equal("Stored greeting.", spec.Greeting);
    }

    [Theory]
    [InlineData("""{"systemPrompt":5}""")]
    [InlineData("""{"systemPrompt":"ok","menu":"pizza"}""")]
    [InlineData("""{"settings":{"greeting":["hi"]}}""")]
    [InlineData("""{"systemPrompt":"a","systemPrompt":"b"}""")]
    [InlineData("""not json""")]
    [InlineData("""[]""")]
    public async Task MalformedAnswer_FallsBackToTheStoredSpec(string body)
    {
        await using var app = await AppAsync(body);
        using var source = Source();

        var spec = await source.ApplyAsync(Endpoint(app.BaseUrl), "twilio", null, CancellationToken.None);

        Assert.Equal("Stored instructions.", spec.Instructions);
        Assert.Equal("Stored greeting.", spec.Greeting);
    }

    [Fact]
    public async Task TextSession_GreetsWithTheOrgsGreeting()
    {
        await using var app = await AppAsync(OrgAnswer);
        var settings = SessionApi.Settings();
        settings["Switchboard:Tools:AllowPrivateNetworks"] = "true";
        // What INTERNAL_API_KEY sets (EnvironmentAliasesTests covers the alias itself).
        settings["Switchboard:Tools:Secrets:internal"] = "s2s-key";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, Endpoint(app.BaseUrl + "/api/realtime/org-config").Spec);
        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);

        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var greeting = await client.WaitForTypeAsync("transcript", m => m.GetProperty("payload").GetProperty("role").GetString() == "agent");

        Assert.Equal("Pizzeria Roma, ciao!", greeting.GetProperty("payload").GetProperty("text").GetString());
        var request = Assert.Single(app.Requests);
        Assert.Equal("Bearer s2s-key", request.Authorization);
        Assert.EndsWith("&orgId=org-7", request.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_Validated_NamesTheBadPath()
    {
        var spec = new AgentSpec
        {
            RemoteConfig = new RemoteConfigSpec { Url = "https://app.example.com/api/realtime/org-config", Mapping = new RemoteConfigMappingSpec { Instructions = "system prompt" } },
        };
        var errors = AgentSpecValidator.Validate("roma", spec, OutboundPolicy.From(new SwitchboardOptions()));
        Assert.True(errors.ContainsKey("remoteConfig.mapping.instructions"));

        var empty = spec with { RemoteConfig = spec.RemoteConfig with { Mapping = new RemoteConfigMappingSpec() } };
        Assert.True(AgentSpecValidator.Validate("roma", empty, OutboundPolicy.From(new SwitchboardOptions())).ContainsKey("remoteConfig.mapping"));
    }
}
