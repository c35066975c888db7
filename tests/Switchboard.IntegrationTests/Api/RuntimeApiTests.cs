using System.Net;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Api;

/// <summary><c>GET /api/v1/runtime</c>: modes, transport URLs, flows and browser actions of an endpoint.</summary>
public class RuntimeApiTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public RuntimeApiTests(ApiGateway api) => _api = api;

    [Fact]
    public async Task DefaultEndpoint_EveryModeAndTransport_UrlsFromTheRequest()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.CreateCallToken));
        using var response = await http.GetAsync($"/api/v1/runtime?endpointId={_api.DefaultEndpointId}");
        var runtime = await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(_api.DefaultEndpointId, runtime.GetProperty("endpointId").GetGuid());
        Assert.Equal("default", runtime.GetProperty("name").GetString());
        var modes = runtime.GetProperty("interactionModes").EnumerateArray().ToDictionary(m => m.GetProperty("mode").GetString()!, m => m.GetProperty("available").GetBoolean());
        Assert.Equal(["text", "audio_playback", "voice_conversation", "browser_actions", "listen"], modes.Keys.ToArray());
        // Every mode runs on this gateway (listen since issue 17).
        Assert.All(modes, m => Assert.True(m.Value, m.Key));

        var host = new Uri(_api.Gateway.BaseUrl).Authority;
        var transports = runtime.GetProperty("transports").EnumerateArray().ToDictionary(t => t.GetProperty("type").GetString()!);
        Assert.Equal(["websocket", "twilio", "telnyx", "sip"], transports.Keys.ToArray());
        Assert.Equal($"ws://{host}/ws/session", transports["websocket"].GetProperty("url").GetString());
        Assert.Equal($"http://{host}/api/v1/sessions", transports["websocket"].GetProperty("sessionsUrl").GetString());
        // The webhook URL carries the endpoint's token: an unsigned TwiML webhook accepts an endpointId only with it.
        var token = await Gateway.CarrierBinding.TokenAsync(_api.Gateway, _api.DefaultEndpointId);
        Assert.Equal($"http://{host}/twilio/twiml?endpointId={_api.DefaultEndpointId}&endpointToken={token}", transports["twilio"].GetProperty("twimlUrl").GetString());
        Assert.Equal($"ws://{host}/twilio", transports["twilio"].GetProperty("streamUrl").GetString());
        Assert.Equal($"ws://{host}/telnyx", transports["telnyx"].GetProperty("streamUrl").GetString());
        Assert.False(transports["telnyx"].TryGetProperty("url", out _));
        Assert.Equal($"http://{host}/openai/webhook?endpointId={_api.DefaultEndpointId}", transports["sip"].GetProperty("webhookUrl").GetString());

        Assert.Equal("default", Assert.Single(runtime.GetProperty("flows").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(0, runtime.GetProperty("browserActions").GetArrayLength());
    }

    [Fact]
    public async Task RestrictedEndpoint_OnlyItsModesAndCarriers_FlowsAndBrowserActions()
    {
        using var manage = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        var id = await ApiGateway.CreateEndpointAsync(manage, $$"""
            {
              "name": "kiosk-{{Guid.NewGuid():N}}",
              "modes": ["browser_actions", "text"],
              "carriers": ["twilio"],
              "flows": [ { "name": "returns", "description": "Start a return" } ],
              "browserActions": [ { "name": "show_page", "description": "Open a page", "parameters": { "type": "object" } } ]
            }
            """);

        // READ_TEAM_APPS may read runtime capabilities too.
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ReadTeamApps));
        using var response = await http.GetAsync($"/api/v1/runtime?endpointId={id}");
        var runtime = await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK);

        var modes = runtime.GetProperty("interactionModes").EnumerateArray().Select(m => (m.GetProperty("mode").GetString(), m.GetProperty("available").GetBoolean())).ToArray();
        Assert.Equal([("text", true), ("browser_actions", true)], modes);
        Assert.Equal("twilio", Assert.Single(runtime.GetProperty("transports").EnumerateArray()).GetProperty("type").GetString());
        Assert.Equal(["default", "returns"], runtime.GetProperty("flows").EnumerateArray().Select(f => f.GetProperty("name").GetString()!).ToArray());
        Assert.Equal("Start a return", runtime.GetProperty("flows")[1].GetProperty("description").GetString());
        var action = Assert.Single(runtime.GetProperty("browserActions").EnumerateArray());
        Assert.Equal("show_page", action.GetProperty("name").GetString());
        Assert.Equal("object", action.GetProperty("parameters").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("/api/v1/runtime", "endpointId is required (the endpoint's UUID)")]
    [InlineData("/api/v1/runtime?endpointId=", "endpointId is required (the endpoint's UUID)")]
    [InlineData("/api/v1/runtime?endpointId=abc", "endpointId must be a UUID (got 'abc')")]
    public async Task MissingOrInvalidEndpointId_Is400(string path, string detail)
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.CreateCallToken));
        using var response = await http.GetAsync(path);
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("endpointId", out _));
    }

    [Fact]
    public async Task UnknownEndpoint_Is404()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.CreateCallToken));
        using var response = await http.GetAsync($"/api/v1/runtime?endpointId={Guid.NewGuid()}");
        await ApiGateway.ReadProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PublicBaseUrl_IsUsedForEveryUrl()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:PublicBaseUrl"] = "https://gw.example.com/voice/" });
        var team = (await gateway.Store.ListTeamsAsync(CancellationToken.None)).Single();
        var endpoint = await gateway.Store.GetDefaultEndpointAsync(team.Id, CancellationToken.None);
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
        await gateway.Store.CreateKeyAsync(new ApiKeyRecord
        {
            Id = Guid.NewGuid(), TeamId = team.Id, Name = "t", Prefix = prefix, Hash = hash, Scopes = ApiScopes.CreateCallToken, CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);

        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-API-Key", plaintext);
        using var response = await http.GetAsync($"/api/v1/runtime?endpointId={endpoint!.Id}");
        var transports = (await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK)).GetProperty("transports").EnumerateArray().ToDictionary(t => t.GetProperty("type").GetString()!);
        Assert.Equal("wss://gw.example.com/voice/ws/session", transports["websocket"].GetProperty("url").GetString());
        Assert.Equal("https://gw.example.com/voice/api/v1/sessions", transports["websocket"].GetProperty("sessionsUrl").GetString());
        Assert.StartsWith($"https://gw.example.com/voice/twilio/twiml?endpointId={endpoint.Id}&endpointToken=", transports["twilio"].GetProperty("twimlUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal("wss://gw.example.com/voice/twilio", transports["twilio"].GetProperty("streamUrl").GetString());
        Assert.Equal("wss://gw.example.com/voice/telnyx", transports["telnyx"].GetProperty("streamUrl").GetString());
        Assert.DoesNotContain("127.0.0.1", JsonSerializer.Serialize(transports), StringComparison.Ordinal);
    }
}
