using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Server.Control;

namespace Switchboard.IntegrationTests.Api;

/// <summary>
/// A real gateway for REST API tests (shared by a test class) plus helpers: keys and teams are created
/// directly in the gateway's store (the API under test is not used to set itself up).
/// </summary>
public sealed class ApiGateway : IAsyncLifetime
{
    private GatewayFixture? _gateway;

    internal GatewayFixture Gateway => _gateway ?? throw new InvalidOperationException("not started");

    internal Guid DefaultTeamId => Gateway.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap.DefaultTeam.Id;

    internal Guid DefaultEndpointId => Gateway.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap.DefaultEndpoint.Id;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    /// <summary>A new team with no endpoints and no keys.</summary>
    internal async Task<Guid> CreateTeamAsync()
    {
        var team = new Team(Guid.NewGuid(), "team-" + Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow);
        await Gateway.Store.CreateTeamAsync(team, CancellationToken.None);
        return team.Id;
    }

    /// <summary>A key of the given team (default team when null) holding <paramref name="scopes"/>; returns the plaintext.</summary>
    internal async Task<string> CreateKeyAsync(ApiScopes scopes, Guid? teamId = null)
    {
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
        await Gateway.Store.CreateKeyAsync(new ApiKeyRecord
        {
            Id = Guid.NewGuid(),
            TeamId = teamId ?? DefaultTeamId,
            Name = "test",
            Prefix = prefix,
            Hash = hash,
            Scopes = scopes,
            CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);
        return plaintext;
    }

    /// <summary>An HTTP client for the gateway, sending <paramref name="key"/> as X-API-Key when given.</summary>
    internal HttpClient Client(string? key = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        return http;
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Reads a JSON response after checking its status and media type.</summary>
    internal static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Checks an error is an RFC 9457 problem with this status and returns it.</summary>
    internal static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    /// <summary>Creates an endpoint through the API (for tests that are not about creating endpoints); returns its id.</summary>
    internal static async Task<Guid> CreateEndpointAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync("/api/v1/endpoints", Json(json));
        var endpoint = await ReadJsonAsync(response, HttpStatusCode.Created);
        return endpoint.GetProperty("id").GetGuid();
    }
}
