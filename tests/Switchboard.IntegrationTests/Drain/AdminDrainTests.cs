using System.Net;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Drain;

/// <summary>
/// <c>POST /api/v1/admin/drain</c> on an in-process gateway: ADMIN only, 202 and idempotent, health 503 <c>draining</c>
/// at once, and the application stops once the last call has ended (the process then exits, as after SIGTERM).
/// </summary>
public class AdminDrainTests
{
    private const string DrainPath = "/api/v1/admin/drain";

    [Fact]
    public async Task Drain_AdminKey_Answers202IdempotentlyHealthTurns503AndTheAppStopsWhenTheLastCallEnds()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Drain:TimeoutSeconds"] = "120" });
        var admin = await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin);
        var other = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls | ApiScopes.ManageEndpoints | ApiScopes.CreateCallToken);
        var session = await SessionApi.CreateSessionAsync(gateway, admin);
        var client = await SessionTestClient.ConnectAsync(session.WsUrl);
        await client.WaitForTypeAsync("status", m => m.GetProperty("payload").GetProperty("state").GetString() == "connected");
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };

        // Only ADMIN drains; a refused request changes nothing.
        using (var anonymous = await http.PostAsync(DrainPath, null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var forbidden = await PostAsync(http, other))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Contains("ADMIN", await forbidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A tenant's ADMIN key (another team) cannot take the node out of service for everyone.
        var tenant = await SessionApi.CreateTeamAsync(gateway);
        var tenantAdmin = await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin, tenant.Id);
        using (var refused = await PostAsync(http, tenantAdmin))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("default team", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var healthy = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            var body = await JsonAsync(healthy);
            Assert.Equal("ok", body.GetProperty("status").GetString());
            Assert.False(body.GetProperty("draining").GetBoolean());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("drainingSince").ValueKind);
        }

        using var first = await PostAsync(http, admin);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var drain = await JsonAsync(first);
        Assert.True(drain.GetProperty("draining").GetBoolean());
        Assert.Equal(1, drain.GetProperty("liveCalls").GetInt32());
        Assert.Equal(120, drain.GetProperty("timeoutSeconds").GetInt32());
        var since = drain.GetProperty("since").GetDateTimeOffset();
        Assert.InRange(since, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        using var again = await PostAsync(http, admin);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(since, (await JsonAsync(again)).GetProperty("since").GetDateTimeOffset());

        using (var draining = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.StatusCode);
            var body = await JsonAsync(draining);
            Assert.Equal("draining", body.GetProperty("status").GetString());
            Assert.True(body.GetProperty("draining").GetBoolean());
            Assert.Equal(since, body.GetProperty("drainingSince").GetDateTimeOffset());
            Assert.Equal(1, body.GetProperty("activeCalls").GetInt32());
        }

        // The running call is not cut; once it ends the drain completes and the application stops.
        Assert.False(gateway.App.Lifetime.ApplicationStopping.IsCancellationRequested);
        await client.DisposeAsync();
        var stopping = new TaskCompletionSource();
        using var registration = gateway.App.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal("client_closed", events[^1].Reason);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, DrainPath);
        request.Headers.Add("X-API-Key", key);
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
