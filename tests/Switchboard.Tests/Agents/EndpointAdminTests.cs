using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.Common;

namespace Switchboard.Tests.Agents;

public sealed class EndpointAdminTests : IAsyncLifetime
{
    private AdminStore _db = null!;
    private EndpointAdmin _admin = null!;

    public async Task InitializeAsync()
    {
        _db = await AdminStore.OpenAsync();
        _admin = new EndpointAdmin(_db.Store, _db.Time);
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CreateAsync_GivenFields_KeptAndTheRestDefaulted()
    {
        var endpoint = await CreateAsync(_db.Team.Id, """{ "name": "sales", "voice": "cedar", "turnDetection": { "type": "semantic_vad" } }""");

        Assert.Equal("sales", endpoint.Name);
        Assert.False(endpoint.IsDefault);
        Assert.Equal("cedar", endpoint.Spec.Voice);
        Assert.Equal("semantic_vad", endpoint.Spec.TurnDetection.Type);
        Assert.Equal(0.5, endpoint.Spec.TurnDetection.Threshold);
        var stored = await _db.Store.GetEndpointAsync(_db.Team.Id, endpoint.Id, CancellationToken.None);
        Assert.Equal((endpoint.Name, "cedar", endpoint.CreatedAt), (stored!.Name, stored.Spec.Voice, stored.CreatedAt));
    }

    [Fact]
    public async Task CreateAsync_InvalidFields_ListsEveryOneAndWritesNothing()
    {
        var result = await _admin.CreateAsync(_db.Team.Id, Body("""{ "name": "", "voice": "", "modes": ["telepathy"], "phoneNumbers": ["5551234"], "limits": null }"""), CancellationToken.None);

        Assert.False(result.Succeeded(out _, out var error));
        Assert.Equal(AdminStatus.Invalid, error.Status);
        Assert.Equal(["limits", "name", "voice", "modes", "phoneNumbers"], error.Errors.Keys);
        Assert.Contains("unknown mode 'telepathy'", error.Errors["modes"][0], StringComparison.Ordinal);
        Assert.Equal(0, (await _admin.ListAsync(_db.Team.Id, new PageRequest(1, 20), CancellationToken.None)).Total);
    }

    [Theory]
    [InlineData("""{ "name": "a", "voic": "cedar" }""", "voic", "unknown field 'voic'")]
    [InlineData("""{ "name": 5 }""", "name", "name must be a string (got a number)")]
    [InlineData("""{ "name": "a", "isDefault": "yes" }""", "isDefault", "isDefault must be true or false (got a string)")]
    [InlineData("""{ "id": "2f1d3a8e-0000-0000-0000-000000000000", "name": "a" }""", "id", "id is assigned by the server (omit it)")]
    public async Task CreateAsync_UnknownOrMistypedField_IsInvalidNamingIt(string body, string field, string message)
    {
        var result = await _admin.CreateAsync(_db.Team.Id, Body(body), CancellationToken.None);

        Assert.Equal(AdminStatus.Invalid, result.Error?.Status);
        Assert.Equal([message], result.Error!.Errors[field]);
    }

    [Fact]
    public async Task CreateAsync_DuplicateNameInTheTeam_IsAConflictNamingIt_ButAnotherTeamMayUseIt()
    {
        await CreateAsync(_db.Team.Id, """{ "name": "sales" }""");

        var again = await _admin.CreateAsync(_db.Team.Id, Body("""{ "name": "sales" }"""), CancellationToken.None);
        var otherTeam = await _admin.CreateAsync(_db.Other.Id, Body("""{ "name": "sales" }"""), CancellationToken.None);

        Assert.Equal(new AdminError(AdminStatus.Conflict, "an endpoint named 'sales' already exists"), again.Error);
        Assert.Null(otherTeam.Error);
    }

    [Fact]
    public async Task CreateAsync_PhoneNumberOfAnotherTeamsEndpoint_IsAConflict()
    {
        await CreateAsync(_db.Other.Id, """{ "name": "theirs", "phoneNumbers": ["+15550000001"] }""");

        var result = await _admin.CreateAsync(_db.Team.Id, Body("""{ "name": "mine", "phoneNumbers": ["+15550000001"] }"""), CancellationToken.None);

        Assert.Equal(AdminStatus.Conflict, result.Error?.Status);
        Assert.Contains("+15550000001", result.Error!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAsync_TheDefault_IsRefusedUntilAnotherTakesTheFlag()
    {
        var first = await CreateAsync(_db.Team.Id, """{ "name": "first", "isDefault": true }""");

        var refused = await _admin.DeleteAsync(first, CancellationToken.None);
        var second = await CreateAsync(_db.Team.Id, """{ "name": "second", "isDefault": true }""");
        var formerDefault = await _admin.FindAsync(_db.Team.Id, "first", CancellationToken.None);
        var deleted = await _admin.DeleteAsync(formerDefault!, CancellationToken.None);

        Assert.Equal(AdminStatus.DefaultEndpoint, refused.Error?.Status);
        Assert.Equal("the team's default endpoint cannot be deleted; make another endpoint the default first", refused.Error!.Detail);
        Assert.True(second.IsDefault);
        Assert.False(formerDefault!.IsDefault);
        Assert.Null(deleted.Error);
        Assert.Null(await _admin.FindAsync(_db.Team.Id, "first", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_AlreadyDeleted_IsNotFound()
    {
        var endpoint = await CreateAsync(_db.Team.Id, """{ "name": "temp" }""");
        Assert.Null((await _admin.DeleteAsync(endpoint, CancellationToken.None)).Error);

        var again = await _admin.DeleteAsync(endpoint, CancellationToken.None);

        Assert.Equal(new AdminError(AdminStatus.NotFound, "no such endpoint"), again.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UpdateAsync_TheDefaultToNotDefault_IsRefused(bool merge)
    {
        var endpoint = await CreateAsync(_db.Team.Id, """{ "name": "main", "isDefault": true }""");

        var result = await _admin.UpdateAsync(endpoint, Body("""{ "name": "main", "isDefault": false }"""), merge, CancellationToken.None);

        Assert.Equal(AdminStatus.DefaultEndpoint, result.Error?.Status);
        Assert.True((await _admin.FindAsync(_db.Team.Id, "main", CancellationToken.None))!.IsDefault);
    }

    [Fact]
    public async Task UpdateAsync_Merge_ChangesOnlyTheFieldsGiven_ReplaceResetsTheRest()
    {
        var endpoint = await CreateAsync(_db.Team.Id, """{ "name": "sales", "voice": "cedar", "greeting": "Hi", "isDefault": true }""");
        _db.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.True((await _admin.UpdateAsync(endpoint, Body("""{ "greeting": null, "name": "sales-2" }"""), merge: true, CancellationToken.None)).Succeeded(out var patched, out _));
        Assert.True((await _admin.UpdateAsync(patched, Body("""{ "name": "sales-3", "instructions": "Be brief." }"""), merge: false, CancellationToken.None)).Succeeded(out var replaced, out _));

        Assert.Equal(("sales-2", "cedar", null, true), (patched.Name, patched.Spec.Voice, patched.Spec.Greeting, patched.IsDefault));
        Assert.True(patched.UpdatedAt > endpoint.UpdatedAt);
        Assert.Equal(endpoint.CreatedAt, patched.CreatedAt);
        Assert.Equal(("sales-3", "marin", "Be brief.", true), (replaced.Name, replaced.Spec.Voice, replaced.Spec.Instructions, replaced.IsDefault));
        var stored = await _db.Store.GetEndpointAsync(_db.Team.Id, endpoint.Id, CancellationToken.None);
        Assert.Equal(("sales-3", "Be brief.", replaced.UpdatedAt), (stored!.Name, stored.Spec.Instructions, stored.UpdatedAt));
    }

    [Fact]
    public async Task UpdateAsync_RenameToATakenName_IsAConflict()
    {
        await CreateAsync(_db.Team.Id, """{ "name": "a" }""");
        var b = await CreateAsync(_db.Team.Id, """{ "name": "b" }""");

        var result = await _admin.UpdateAsync(b, Body("""{ "name": "a" }"""), merge: true, CancellationToken.None);

        Assert.Equal(AdminStatus.Conflict, result.Error?.Status);
    }

    [Fact]
    public async Task FindAsync_ByIdOrName_OnlyInTheTeam()
    {
        var mine = await CreateAsync(_db.Team.Id, """{ "name": "mine" }""");
        var theirs = await CreateAsync(_db.Other.Id, """{ "name": "theirs" }""");

        Assert.Equal(mine.Id, (await _admin.FindAsync(_db.Team.Id, mine.Id.ToString(), CancellationToken.None))?.Id);
        Assert.Equal(mine.Id, (await _admin.FindAsync(_db.Team.Id, "mine", CancellationToken.None))?.Id);
        Assert.Null(await _admin.FindAsync(_db.Team.Id, theirs.Id.ToString(), CancellationToken.None));
        Assert.Null(await _admin.FindAsync(_db.Team.Id, "theirs", CancellationToken.None));
        Assert.Null(await _admin.GetAsync(_db.Team.Id, "mine", CancellationToken.None)); // by id only
    }

    private static JsonObject Body(string json) => JsonNode.Parse(json)!.AsObject();

    private async Task<AgentEndpoint> CreateAsync(Guid teamId, string body)
    {
        var result = await _admin.CreateAsync(teamId, Body(body), CancellationToken.None);
        Assert.True(result.Succeeded(out var endpoint, out var error), error?.Detail);
        return endpoint;
    }
}
