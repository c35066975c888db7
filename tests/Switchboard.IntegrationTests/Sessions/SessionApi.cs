using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Server.Control;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>Test set-up through the gateway's own store (keys, teams, endpoints) and calls to <c>POST /api/v1/sessions</c>.</summary>
internal static class SessionApi
{
    /// <summary>A base64 signing key the tests configure so they can mint tokens the gateway accepts (or, expired, refuses).</summary>
    public static readonly byte[] SigningKey = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray();

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Switchboard:Sessions:SigningKey"] = Convert.ToBase64String(SigningKey),
        ["Switchboard:Local:PaceFactor"] = "0",
    };

    public static Team DefaultTeam(GatewayFixture gateway) =>
        gateway.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap.DefaultTeam;

    public static AgentEndpoint DefaultEndpoint(GatewayFixture gateway) =>
        gateway.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap.DefaultEndpoint;

    /// <summary>Creates an API key for <paramref name="teamId"/> (the default team when null) and returns its plaintext.</summary>
    public static async Task<string> CreateKeyAsync(GatewayFixture gateway, ApiScopes scopes = ApiScopes.CreateCallToken, Guid? teamId = null)
    {
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
        await gateway.Store.CreateKeyAsync(new ApiKeyRecord
        {
            Id = Guid.NewGuid(),
            TeamId = teamId ?? DefaultTeam(gateway).Id,
            Name = "test-" + prefix,
            Prefix = prefix,
            Hash = hash,
            Scopes = scopes,
            CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);
        return plaintext;
    }

    public static async Task<AgentEndpoint> CreateEndpointAsync(GatewayFixture gateway, AgentSpec spec, Guid? teamId = null, string? name = null)
    {
        var now = DateTimeOffset.UtcNow;
        var endpoint = new AgentEndpoint
        {
            Id = Guid.NewGuid(),
            TeamId = teamId ?? DefaultTeam(gateway).Id,
            Name = name ?? "ep-" + Guid.NewGuid().ToString("N")[..8],
            Spec = spec,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await gateway.Store.CreateEndpointAsync(endpoint, CancellationToken.None);
        return endpoint;
    }

    public static async Task<Team> CreateTeamAsync(GatewayFixture gateway)
    {
        var team = new Team(Guid.NewGuid(), "team-" + Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow);
        await gateway.Store.CreateTeamAsync(team, CancellationToken.None);
        return team;
    }

    /// <summary>POSTs a raw body to <c>/api/v1/sessions</c>.</summary>
    public static async Task<HttpResponseMessage> PostRawAsync(GatewayFixture gateway, string? apiKey, string body)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.BaseUrl + "/api/v1/sessions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        return await http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostAsync(GatewayFixture gateway, string apiKey, Guid endpointId, string mode = "text", string? flow = null) =>
        PostRawAsync(gateway, apiKey, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["endpointId"] = endpointId.ToString("D"),
            ["mode"] = mode,
            ["flow"] = flow,
        }));

    /// <summary>Creates a session (text unless <paramref name="mode"/> says otherwise) on <paramref name="endpointId"/> (the default endpoint when null) and returns the 201 body.</summary>
    public static async Task<CreatedSession> CreateSessionAsync(GatewayFixture gateway, string apiKey, Guid? endpointId = null, string? flow = null, string mode = "text")
    {
        using var response = await PostAsync(gateway, apiKey, endpointId ?? DefaultEndpoint(gateway).Id, mode, flow);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<CreatedSession>(text, JsonSerializerOptions.Web)!;
    }

    /// <summary>The problem+json body of an error response.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    public static string SocketUrl(GatewayFixture gateway, string? sessionId, string? token)
    {
        var query = new List<string>();
        if (sessionId is not null)
        {
            query.Add("sessionId=" + Uri.EscapeDataString(sessionId));
        }

        if (token is not null)
        {
            query.Add("token=" + Uri.EscapeDataString(token));
        }

        return gateway.WebSocketUrl("/ws/session") + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }
}

/// <summary>The 201 body of <c>POST /api/v1/sessions</c>.</summary>
internal sealed record CreatedSession(Guid SessionId, string WsToken, int WsTokenExpiresIn, int ExpiresIn, string WsUrl);
