using System.Net;
using Switchboard.Control;

namespace Switchboard.IntegrationTests.Api;

/// <summary><c>/api/v1/keys</c>: the plaintext is shown once, works, and is never listed; revocation.</summary>
public class KeyApiTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public KeyApiTests(ApiGateway api) => _api = api;

    [Fact]
    public async Task Create_ShowsThePlaintextOnce_ItWorks_AndListingsNeverShowIt()
    {
        using var admin = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));
        using var created = await admin.PostAsync("/api/v1/keys", ApiGateway.Json("""{ "name": "ci", "scopes": ["READ_CALLS", "manage_endpoints"] }"""));
        var key = await ApiGateway.ReadJsonAsync(created, HttpStatusCode.Created);
        var plaintext = key.GetProperty("key").GetString()!;
        var prefix = key.GetProperty("prefix").GetString()!;
        Assert.Matches("^sb_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$", plaintext);
        Assert.StartsWith(prefix + "_", plaintext, StringComparison.Ordinal);
        Assert.Equal("ci", key.GetProperty("name").GetString());
        Assert.Equal(new[] { "MANAGE_ENDPOINTS", "READ_CALLS" }, key.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).Order().ToArray());

        // The plaintext authenticates, with exactly the scopes asked for.
        using var newKey = _api.Client(plaintext);
        using (var team = await newKey.GetAsync("/api/v1/team"))
        {
            var body = await ApiGateway.ReadJsonAsync(team, HttpStatusCode.OK);
            Assert.Equal(key.GetProperty("id").GetGuid(), body.GetProperty("key").GetProperty("id").GetGuid());
        }

        using (var calls = await newKey.GetAsync("/api/v1/calls"))
        {
            Assert.Equal(HttpStatusCode.OK, calls.StatusCode);
        }

        using (var keys = await newKey.GetAsync("/api/v1/keys"))
        {
            await ApiGateway.ReadProblemAsync(keys, HttpStatusCode.Forbidden);
        }

        // Listed by prefix, never with the secret or a hash.
        using var list = await admin.GetAsync("/api/v1/keys");
        var raw = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(plaintext, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(plaintext[12..], raw, StringComparison.Ordinal);
        var listed = Assert.Single((await ApiGateway.ReadJsonAsync(list, HttpStatusCode.OK)).GetProperty("keys").EnumerateArray(),
            k => k.GetProperty("id").GetGuid() == key.GetProperty("id").GetGuid());
        Assert.Equal(prefix, listed.GetProperty("prefix").GetString());
        Assert.False(listed.TryGetProperty("key", out _));
        Assert.False(listed.TryGetProperty("hash", out _));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, listed.GetProperty("lastUsedAt").ValueKind);

        // Only its hash is stored.
        var stored = await _api.Gateway.Store.FindKeyByPrefixAsync(prefix, CancellationToken.None);
        Assert.Equal(ApiKeyFormat.Hash(plaintext), stored!.Hash);
    }

    [Fact]
    public async Task Revoke_Twice_IsIdempotentAndListedAsRevoked()
    {
        using var admin = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));
        using var created = await admin.PostAsync("/api/v1/keys", ApiGateway.Json("""{ "name": "temp", "scopes": ["READ_CALLS"] }"""));
        var key = await ApiGateway.ReadJsonAsync(created, HttpStatusCode.Created);
        var id = key.GetProperty("id").GetGuid();

        using (var first = await admin.DeleteAsync($"/api/v1/keys/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var revokedAt = (await _api.Gateway.Store.GetKeyAsync(_api.DefaultTeamId, id, CancellationToken.None))!.RevokedAt;
        using (var second = await admin.DeleteAsync($"/api/v1/keys/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        }

        Assert.Equal(revokedAt, (await _api.Gateway.Store.GetKeyAsync(_api.DefaultTeamId, id, CancellationToken.None))!.RevokedAt);
        using var list = await admin.GetAsync("/api/v1/keys");
        var listed = Assert.Single((await ApiGateway.ReadJsonAsync(list, HttpStatusCode.OK)).GetProperty("keys").EnumerateArray(), k => k.GetProperty("id").GetGuid() == id);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);

        using var revoked = _api.Client(key.GetProperty("key").GetString());
        using var refused = await revoked.GetAsync("/api/v1/team");
        await ApiGateway.ReadProblemAsync(refused, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/api/v1/keys/00000000-0000-0000-0000-000000000000")]
    [InlineData("/api/v1/keys/nope")]
    public async Task Revoke_UnknownKey_Is404(string path)
    {
        using var admin = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));
        using var response = await admin.DeleteAsync(path);
        await ApiGateway.ReadProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{ "name": "ci", "scopes": ["READ_CALLS", "WRITE_EVERYTHING"] }""", "scopes", "unknown scope 'WRITE_EVERYTHING'")]
    [InlineData("""{ "name": "", "scopes": ["READ_CALLS"] }""", "name", "name is required")]
    [InlineData("""{ "name": "   ", "scopes": ["READ_CALLS"] }""", "name", "name is required")]
    [InlineData("""{ "name": "ci", "scopes": [] }""", "scopes", "scopes must list at least one")]
    [InlineData("""{ "name": "ci" }""", "", "missing required field 'scopes'")]
    [InlineData("""{ "name": "ci", "scopes": "READ_CALLS" }""", "scopes", "'scopes' must be an array")]
    [InlineData("""{ "name": "ci", "scopes": ["READ_CALLS"], "expires": 5 }""", "expires", "unknown field 'expires'")]
    public async Task Create_BadBody_Is400Naming(string body, string field, string message)
    {
        using var admin = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));
        var before = (await _api.Gateway.Store.ListKeysAsync(_api.DefaultTeamId, CancellationToken.None)).Count;
        using var response = await admin.PostAsync("/api/v1/keys", ApiGateway.Json(body));
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        if (field.Length > 0)
        {
            Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, (await _api.Gateway.Store.ListKeysAsync(_api.DefaultTeamId, CancellationToken.None)).Count);
    }
}
