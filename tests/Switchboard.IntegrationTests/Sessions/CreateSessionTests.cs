using System.Net;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Sessions;

public class CreateSessionTests
{
    [Fact]
    public async Task Create_TextOnDefaultEndpoint_Returns201WithTokenUrlAndStoresTheSession()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = SessionApi.DefaultEndpoint(gateway);

        using var response = await SessionApi.PostAsync(gateway, key, endpoint.Id);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["sessionId", "wsToken", "wsTokenExpiresIn", "expiresIn", "wsUrl"], body.EnumerateObject().Select(p => p.Name).ToArray());
        var sessionId = Guid.Parse(body.GetProperty("sessionId").GetString()!);
        var token = body.GetProperty("wsToken").GetString()!;
        Assert.Equal(3, token.Split('.').Length);
        Assert.Equal(300, body.GetProperty("wsTokenExpiresIn").GetInt32());
        Assert.Equal(endpoint.Spec.Limits.SessionTtlSeconds, body.GetProperty("expiresIn").GetInt32());
        Assert.Equal($"{gateway.WebSocketUrl("/ws/session")}?sessionId={sessionId:D}&token={token}", body.GetProperty("wsUrl").GetString());

        var stored = await gateway.Store.GetSessionAsync(sessionId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(SessionApi.DefaultTeam(gateway).Id, stored.TeamId);
        Assert.Equal(endpoint.Id, stored.EndpointId);
        Assert.Equal("text", stored.Mode);
        Assert.Null(stored.Flow);
        Assert.InRange((stored.ExpiresAt - stored.CreatedAt).TotalSeconds, endpoint.Spec.Limits.SessionTtlSeconds - 1, endpoint.Spec.Limits.SessionTtlSeconds + 1);

        var checkedToken = await new SessionTokens(SessionApi.SigningKey, TimeSpan.FromSeconds(300), TimeProvider.System).ValidateAsync(token, sessionId);
        Assert.Equal(SessionTokenStatus.Valid, checkedToken.Status);
        Assert.Equal(endpoint.Id, checkedToken.Claims!.EndpointId);
        Assert.Equal("text", checkedToken.Claims.Mode);
    }

    [Fact]
    public async Task Create_EndpointSessionTtlAndDeclaredFlow_AreUsed()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Limits = new LimitsSpec { SessionTtlSeconds = 120 },
            Flows = [new FlowSpec { Name = "billing", Greeting = "Billing here." }],
        });

        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id, flow: "billing");

        Assert.Equal(120, created.ExpiresIn);
        var stored = await gateway.Store.GetSessionAsync(created.SessionId, CancellationToken.None);
        Assert.Equal("billing", stored!.Flow);
    }

    [Fact]
    public async Task Create_DefaultFlowWithoutDeclaringIt_IsAccepted()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);

        var created = await SessionApi.CreateSessionAsync(gateway, key, flow: "default");

        Assert.Null((await gateway.Store.GetSessionAsync(created.SessionId, CancellationToken.None))!.Flow);
    }

    [Fact]
    public async Task Create_PublicBaseUrl_BuildsWssUrlFromIt()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:PublicBaseUrl"] = "https://gw.example.com/base";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);

        var created = await SessionApi.CreateSessionAsync(gateway, key);

        Assert.StartsWith($"wss://gw.example.com/base/ws/session?sessionId={created.SessionId:D}&token=", created.WsUrl, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "malformed JSON at line 1, byte 2")]
    [InlineData("", "the request body is empty")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"mode":"text"}""", "endpointId is required")]
    [InlineData("""{"endpointId":"nope","mode":"text"}""", "endpointId must be a UUID")]
    [InlineData("""{"endpointId":"6f1c1f9e-3f7b-4f55-9d0f-1f2e3d4c5b6a"}""", "mode is required")]
    [InlineData("""{"endpointId":"6f1c1f9e-3f7b-4f55-9d0f-1f2e3d4c5b6a","mode":7}""", "mode must be")]
    [InlineData("""{"endpointId":"6f1c1f9e-3f7b-4f55-9d0f-1f2e3d4c5b6a","mode":"text","flow":3}""", "flow must be")]
    [InlineData("""{"endpointId":"6f1c1f9e-3f7b-4f55-9d0f-1f2e3d4c5b6a","mode":"text","modes":"x"}""", "unknown field 'modes'")]
    [InlineData("""{"endpointId":"6f1c1f9e-3f7b-4f55-9d0f-1f2e3d4c5b6a","mode":"telepathy"}""", "unknown mode 'telepathy'")]
    public async Task Create_MalformedBody_Is400WithTheReason(string body, string expected)
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);

        using var response = await SessionApi.PostRawAsync(gateway, key, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await SessionApi.ProblemAsync(response);
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownEndpoint_Is404()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);

        using var response = await SessionApi.PostAsync(gateway, key, Guid.NewGuid());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await SessionApi.ProblemAsync(response);
    }

    [Fact]
    public async Task Create_AnotherTeamsEndpoint_Is404AndCreatesNothing()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var otherTeam = await SessionApi.CreateTeamAsync(gateway);
        var theirs = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec(), otherTeam.Id);
        var myKey = await SessionApi.CreateKeyAsync(gateway);

        using var response = await SessionApi.PostAsync(gateway, myKey, theirs.Id);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        // The owner's key works, so the 404 above is tenant isolation, not a broken endpoint.
        var theirKey = await SessionApi.CreateKeyAsync(gateway, teamId: otherTeam.Id);
        await SessionApi.CreateSessionAsync(gateway, theirKey, theirs.Id);
    }

    [Fact]
    public async Task Create_ModeNotAllowedByEndpoint_Is403WithTheReason()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Modes = [InteractionModes.VoiceConversation] });

        using var response = await SessionApi.PostAsync(gateway, key, endpoint.Id, "text");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var detail = (await SessionApi.ProblemAsync(response)).GetProperty("detail").GetString();
        Assert.Contains("does not allow mode 'text'", detail, StringComparison.Ordinal);
        Assert.Contains("voice_conversation", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ListenWithoutACall_Is400NamingCallId()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);

        using var response = await SessionApi.PostAsync(gateway, key, SessionApi.DefaultEndpoint(gateway).Id, InteractionModes.Listen);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await SessionApi.ProblemAsync(response)).GetProperty("detail").GetString();
        Assert.Contains("callId is required for mode listen", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(InteractionModes.AudioPlayback)]
    [InlineData(InteractionModes.VoiceConversation)]
    [InlineData(InteractionModes.BrowserActions)]
    public async Task Create_VoiceMode_Returns201AndTheTokenCarriesTheMode(string mode)
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);

        var created = await SessionApi.CreateSessionAsync(gateway, key, mode: mode);

        Assert.Equal(mode, (await gateway.Store.GetSessionAsync(created.SessionId, CancellationToken.None))!.Mode);
        var checkedToken = await new SessionTokens(SessionApi.SigningKey, TimeSpan.FromSeconds(300), TimeProvider.System).ValidateAsync(created.WsToken, created.SessionId);
        Assert.Equal(mode, checkedToken.Claims!.Mode);
    }

    [Fact]
    public async Task Create_EndpointWithoutWebSocketCarrier_Is403()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Carriers = [Transports.Twilio] });

        using var response = await SessionApi.PostAsync(gateway, key, endpoint.Id);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("'websocket' carrier", (await SessionApi.ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownFlow_Is400NamingTheFlows()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Flows = [new FlowSpec { Name = "billing" }] });

        using var response = await SessionApi.PostAsync(gateway, key, endpoint.Id, flow: "sales");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await SessionApi.ProblemAsync(response)).GetProperty("detail").GetString();
        Assert.Contains("unknown flow 'sales'", detail, StringComparison.Ordinal);
        Assert.Contains("default, billing", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutKey_Is401AndKeyWithoutScope_Is403()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var readOnly = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls);
        var body = JsonSerializer.Serialize(new { endpointId = SessionApi.DefaultEndpoint(gateway).Id, mode = "text" });

        using var anonymous = await SessionApi.PostRawAsync(gateway, null, body);
        using var unscoped = await SessionApi.PostRawAsync(gateway, readOnly, body);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unscoped.StatusCode);
    }

    [Fact]
    public async Task Create_AdminKey_HoldsTheScope()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var admin = await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin);

        await SessionApi.CreateSessionAsync(gateway, admin);
    }
}
