using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using static Switchboard.IntegrationTests.Webhooks.WebhookTestKit;

namespace Switchboard.IntegrationTests.Webhooks;

/// <summary>The webhooks REST API over real HTTP: validation, the secret shown once, tenant isolation, retry.</summary>
public class WebhookApiTests
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Create_InvalidBodies_AreRefusedNamingTheField()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var other = await SessionApi.CreateTeamAsync(gateway);
        var otherEndpoint = await SessionApi.CreateEndpointAsync(gateway, new Switchboard.Agents.AgentSpec(), other.Id);
        using var http = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints));

        var cases = new (string Body, string Field)[]
        {
            ("""{"url":"ftp://example.com/x","eventTypes":["call.ended"]}""", "url"),
            ("""{"url":"/relative","eventTypes":["call.ended"]}""", "url"),
            ("""{"url":"https://example.com/x","eventTypes":[]}""", "eventTypes"),
            ("""{"url":"https://example.com/x","eventTypes":["call.nope"]}""", "eventTypes"),
            ($$"""{"url":"https://example.com/x","eventTypes":["call.ended"],"endpointId":"{{otherEndpoint.Id}}"}""", "endpointId"),
            ("""{"url":"https://example.com/x","eventTypes":["call.ended"],"endpointId":"not-a-guid"}""", "endpointId"),
            ("""{"url":"https://example.com/x","eventTypes":["call.ended"],"secret":"mine"}""", "secret"),
        };
        foreach (var (body, field) in cases)
        {
            using var response = await http.PostAsync("/api/v1/webhooks", Json(body));
            var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), body + " → " + problem.GetRawText());
        }

        Assert.Empty((await http.GetFromJsonAsync<JsonElement>("/api/v1/webhooks")).GetProperty("webhooks").EnumerateArray());
    }

    [Fact]
    public async Task Scopes_ReadOnlyKey_IsForbidden_AdminIsAllowed()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        using var reader = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls | ApiScopes.ReadTeamApps));
        await ProblemAsync(await reader.GetAsync("/api/v1/webhooks"), HttpStatusCode.Forbidden);
        await ProblemAsync(await reader.GetAsync("/api/v1/webhooks/deliveries"), HttpStatusCode.Forbidden);
        using var admin = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/webhooks")).StatusCode);
    }

    [Fact]
    public async Task Lifecycle_SecretOnce_TenantIsolation_RetryAndDelete()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, n) => Task.FromResult<int?>(n == 0 ? 500 : 200);
        await using var gateway = await GatewayFixture.StartAsync(Settings(new() { ["Switchboard:Webhooks:MaxAttempts"] = "1" }));
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        var otherTeam = await SessionApi.CreateTeamAsync(gateway);
        var otherKey = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints, otherTeam.Id);
        using var http = Client(gateway, key);
        using var stranger = Client(gateway, otherKey);

        using var created = await http.PostAsync("/api/v1/webhooks", Json($$"""{"url":"{{receiver.Url}}","eventTypes":["tool.failed","call.ended","tool.failed"]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = subscription.GetProperty("id").GetGuid();
        var secret = subscription.GetProperty("secret").GetString()!;
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Equal(["call.ended", "tool.failed"], subscription.GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, subscription.GetProperty("endpointId").ValueKind);

        var got = await http.GetStringAsync($"/api/v1/webhooks/{id}");
        var listed = await http.GetStringAsync("/api/v1/webhooks");
        Assert.DoesNotContain(secret, got, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", listed, StringComparison.Ordinal);
        Assert.Contains(receiver.Url, listed, StringComparison.Ordinal);

        await ProblemAsync(await stranger.GetAsync($"/api/v1/webhooks/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await stranger.DeleteAsync($"/api/v1/webhooks/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await http.GetAsync("/api/v1/webhooks/not-a-guid"), HttpStatusCode.NotFound);
        Assert.Empty((await stranger.GetFromJsonAsync<JsonElement>("/api/v1/webhooks")).GetProperty("webhooks").EnumerateArray());

        await EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id);
        var failed = Assert.Single(await WaitForDeliveriesAsync(gateway, key, d => d.Length == 1 && d[0].GetProperty("status").GetString() == "failed"));
        var deliveryId = failed.GetProperty("id").GetString()!;
        Assert.Equal(500, failed.GetProperty("lastStatus").GetInt32());
        // The status and a fixed reason; the receiver's body ("receiver says no …") is never stored or shown.
        Assert.Equal("HTTP 500", failed.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(id, failed.GetProperty("webhookId").GetGuid());
        Assert.Single(await DeliveriesAsync(gateway, key, "failed"));
        Assert.Empty(await DeliveriesAsync(gateway, key, "delivered"));
        Assert.Empty((await stranger.GetFromJsonAsync<JsonElement>("/api/v1/webhooks/deliveries")).GetProperty("deliveries").EnumerateArray());
        await ProblemAsync(await http.GetAsync("/api/v1/webhooks/deliveries?status=lost"), HttpStatusCode.BadRequest);
        await ProblemAsync(await http.GetAsync("/api/v1/webhooks/deliveries?limit=0"), HttpStatusCode.BadRequest);

        await ProblemAsync(await stranger.PostAsync($"/api/v1/webhooks/deliveries/{deliveryId}/retry", null), HttpStatusCode.NotFound);
        await ProblemAsync(await http.PostAsync("/api/v1/webhooks/deliveries/msg_nope/retry", null), HttpStatusCode.NotFound);
        using (var retry = await http.PostAsync($"/api/v1/webhooks/deliveries/{deliveryId}/retry", null))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            var body = await retry.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(deliveryId, body.GetProperty("id").GetString());
        }

        await WaitForDeliveriesAsync(gateway, key, d => d[0].GetProperty("status").GetString() == "delivered");
        var received = await receiver.WaitForAsync(r => r.Count == 2);
        Assert.All(received, r => Assert.Equal(deliveryId, r.Id));
        Assert.All(received, r => Assert.True(r.SignatureIsValid(secret)));
        await ProblemAsync(await http.PostAsync($"/api/v1/webhooks/deliveries/{deliveryId}/retry", null), HttpStatusCode.Conflict);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        await ProblemAsync(await http.GetAsync($"/api/v1/webhooks/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await http.DeleteAsync($"/api/v1/webhooks/{id}"), HttpStatusCode.NotFound);
        Assert.Equal(0, await EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id));
    }
}
