using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using static Switchboard.IntegrationTests.Sessions.VoiceSession;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// The keyless demo routes behind the talk page: <c>GET /demo/config</c> (on with the local backend unless
/// <c>Switchboard:Demo:Enabled=false</c>, off with a paid backend unless set) and <c>POST /demo/sessions</c>
/// (a real session on the default endpoint, 404 when off, 400 naming what is wrong with the body).
/// </summary>
public class DemoEndpointTests
{
    private static Dictionary<string, string?> OpenAISettings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = "sk-test-key";
        // Nothing connects in these tests; the gateway only needs to believe it runs a paid backend.
        settings["Switchboard:OpenAI:RealtimeUrl"] = "ws://127.0.0.1:9/v1/realtime";
        return settings;
    }

    private static async Task<JsonElement> GetConfigAsync(GatewayFixture gateway)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.BaseUrl + "/demo/config");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> PostAsync(GatewayFixture gateway, string body)
    {
        using var http = new HttpClient();
        return await http.PostAsync(gateway.BaseUrl + "/demo/sessions", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    [Fact]
    public async Task Config_LocalBackend_IsOnWithTheDefaultEndpointAndItsRunnableModes()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());

        var config = await GetConfigAsync(gateway);

        Assert.True(config.GetProperty("enabled").GetBoolean());
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        Assert.Equal(endpoint.Id, config.GetProperty("endpoint").GetProperty("id").GetGuid());
        Assert.Equal("default", config.GetProperty("endpoint").GetProperty("name").GetString());
        // Every mode the default endpoint allows that the demo can open: not listen, which follows a call named through the API.
        Assert.Equal(["text", "audio_playback", "voice_conversation", "browser_actions"],
            config.GetProperty("modes").EnumerateArray().Select(m => m.GetString()!).ToArray());
        Assert.Equal(0, config.GetProperty("browserActions").GetArrayLength());
    }

    [Fact]
    public async Task Config_FollowsTheDefaultEndpointsModesAndBrowserActions()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        Assert.True(await gateway.Store.UpdateEndpointAsync(endpoint with
        {
            Spec = endpoint.Spec with
            {
                Modes = [InteractionModes.Listen, InteractionModes.BrowserActions, InteractionModes.Text],
                BrowserActions = [new BrowserActionSpec { Name = "show_message", Description = "Show a message" }, new BrowserActionSpec { Name = "open_url" }],
            },
            UpdatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None));

        var config = await GetConfigAsync(gateway);

        Assert.Equal(["text", "browser_actions"], config.GetProperty("modes").EnumerateArray().Select(m => m.GetString()!).ToArray());
        var actions = config.GetProperty("browserActions").EnumerateArray().ToList();
        Assert.Equal(["show_message", "open_url"], actions.Select(a => a.GetProperty("name").GetString()!).ToArray());
        Assert.Equal("Show a message", actions[0].GetProperty("description").GetString());
    }

    public static TheoryData<string, bool> OffSettings => new()
    {
        { "local backend, Demo:Enabled=false", false },
        { "OpenAI backend, Demo:Enabled unset", true },
    };

    [Theory]
    [MemberData(nameof(OffSettings))]
    public async Task Off_ConfigSaysSoAndCreatingIs404(string what, bool openAI)
    {
        var settings = openAI ? OpenAISettings() : SessionApi.Settings();
        if (!openAI)
        {
            settings["Switchboard:Demo:Enabled"] = "false";
        }

        await using var gateway = await GatewayFixture.StartAsync(settings);

        var config = await GetConfigAsync(gateway);
        Assert.False(config.GetProperty("enabled").GetBoolean(), what);
        Assert.False(config.TryGetProperty("endpoint", out _));
        Assert.Equal(0, config.GetProperty("modes").GetArrayLength());

        using var response = await PostAsync(gateway, """{"mode":"voice_conversation"}""");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await SessionApi.ProblemAsync(response);
        Assert.Contains("demo sessions are off", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await gateway.Store.ListCallsAsync(null, 0, 10, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task OpenAIBackendWithDemoEnabled_IsOn()
    {
        var settings = OpenAISettings();
        settings["Switchboard:Demo:Enabled"] = "true";
        await using var gateway = await GatewayFixture.StartAsync(settings);

        Assert.True((await GetConfigAsync(gateway)).GetProperty("enabled").GetBoolean());
        using var response = await PostAsync(gateway, """{"mode":"text"}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Create_Returns201WithAWsUrlThatConnectsToTheDefaultEndpoint()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());

        using var response = await PostAsync(gateway, """{"mode":"voice_conversation","flow":"default"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonSerializer.Deserialize<CreatedSession>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        Assert.StartsWith(gateway.WebSocketUrl("/ws/session") + "?sessionId=" + body.SessionId.ToString("D") + "&token=", body.WsUrl, StringComparison.Ordinal);
        var stored = await gateway.Store.GetSessionAsync(body.SessionId, CancellationToken.None);
        Assert.Equal(SessionApi.DefaultTeam(gateway).Id, stored!.TeamId);
        Assert.Equal(SessionApi.DefaultEndpoint(gateway).Id, stored.EndpointId);
        Assert.Equal("voice_conversation", stored.Mode);

        await using var client = await SessionTestClient.ConnectAsync(body.WsUrl);
        var connected = Payload(await client.WaitForTypeAsync("status"));
        Assert.Equal("connected", connected.GetProperty("state").GetString());
        Assert.Equal("voice_conversation", connected.GetProperty("mode").GetString());
        Assert.Equal(SessionApi.DefaultEndpoint(gateway).Id.ToString("D"), connected.GetProperty("endpointId").GetString());
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle"));
        await client.SendTextAsync("demo");
        Assert.Equal("(echo) demo", Payload(await client.WaitForTypeAsync("transcript", IsAgentFinal)).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("{not json", "malformed JSON at line 1, byte 2")]
    [InlineData("", "the request body is empty")]
    [InlineData("[]", "JSON object")]
    [InlineData("{}", "mode is required")]
    [InlineData("""{"mode":""}""", "mode is required")]
    [InlineData("""{"mode":5}""", "mode is required")]
    [InlineData("""{"mode":"text","endpointId":"6f1c1f9e-3f7b-4f55-9d0f-1f2e3d4c5b6a"}""", "unknown field 'endpointId'")]
    [InlineData("""{"mode":"telepathy"}""", "unknown mode 'telepathy'")]
    [InlineData("""{"mode":"listen"}""", "mode 'listen' needs a callId")]
    [InlineData("""{"mode":"text","flow":7}""", "flow must be")]
    [InlineData("""{"mode":"text","flow":"sales"}""", "unknown flow 'sales'")]
    public async Task Create_BadBody_Is400SayingWhy(string body, string expected)
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());

        using var response = await PostAsync(gateway, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await SessionApi.ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
