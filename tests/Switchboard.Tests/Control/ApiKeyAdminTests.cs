using Switchboard.Common;
using Switchboard.Control;

namespace Switchboard.Tests.Control;

public sealed class ApiKeyAdminTests : IAsyncLifetime
{
    private AdminStore _db = null!;
    private ApiKeyAdmin _admin = null!;

    public async Task InitializeAsync()
    {
        _db = await AdminStore.OpenAsync();
        _admin = new ApiKeyAdmin(_db.Store, _db.Time);
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CreateAsync_NameAndScopes_StoresOnlyTheHashAndReturnsThePlaintextOnce()
    {
        _db.Time.Advance(TimeSpan.FromTicks(1234)); // sub-millisecond: not kept

        var result = await _admin.CreateAsync(_db.Team.Id, "  ci  ", ["read_calls", "MANAGE_ENDPOINTS"], CancellationToken.None);

        Assert.True(result.Succeeded(out var created, out _));
        Assert.Equal("ci", created.Key.Name);
        Assert.Equal(ApiScopes.ReadCalls | ApiScopes.ManageEndpoints, created.Key.Scopes);
        Assert.StartsWith(created.Key.Prefix + "_", created.Plaintext, StringComparison.Ordinal);
        Assert.Equal(0, created.Key.CreatedAt.Ticks % TimeSpan.TicksPerMillisecond);
        var stored = await _db.Store.FindKeyByPrefixAsync(created.Key.Prefix, CancellationToken.None);
        Assert.Equal(ApiKeyFormat.Hash(created.Plaintext), stored!.Hash);
        Assert.Equal(created.Key.CreatedAt, stored.CreatedAt);
    }

    [Fact]
    public async Task CreateAsync_BadNameAndUnknownScope_ReportsBothFieldsAndWritesNothing()
    {
        var result = await _admin.CreateAsync(_db.Team.Id, "   ", ["READ_CALLS", "SUPERUSER"], CancellationToken.None);

        Assert.False(result.Succeeded(out _, out var error));
        Assert.Equal(AdminStatus.Invalid, error.Status);
        Assert.Equal(["name is required (1-100 characters)"], error.Errors["name"]);
        Assert.StartsWith("unknown scope 'SUPERUSER'; known: READ_TEAM_APPS", error.Errors["scopes"][0], StringComparison.Ordinal);
        Assert.Equal("name is required (1-100 characters); " + error.Errors["scopes"][0], error.Detail);
        Assert.Empty(await _db.Store.ListKeysAsync(_db.Team.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(",| , ")]
    public async Task CreateAsync_NoScope_IsInvalid(string scopes)
    {
        var result = await _admin.CreateAsync(_db.Team.Id, "ci", scopes.Length == 0 ? [] : scopes.Split('|'), CancellationToken.None);

        Assert.False(result.Succeeded(out _, out var error));
        Assert.StartsWith("scopes must list at least one of:", Assert.Single(error.Errors["scopes"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_NameTooLong_IsInvalid()
    {
        var result = await _admin.CreateAsync(_db.Team.Id, new string('k', ApiKeyAdmin.MaxNameLength + 1), ["ADMIN"], CancellationToken.None);

        Assert.Equal(AdminStatus.Invalid, result.Error?.Status);
        Assert.True(result.Error!.Errors.ContainsKey("name"));
    }

    [Fact]
    public async Task RevokeAsync_Twice_KeepsTheFirstTimeAndSaysItWasRevoked()
    {
        var key = await CreateAsync(_db.Team.Id);

        var first = await _admin.RevokeAsync(_db.Team.Id, key.Id, CancellationToken.None);
        _db.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await _admin.RevokeAsync(_db.Team.Id, key.Id, CancellationToken.None);

        Assert.True(first.Succeeded(out var revoked, out _));
        Assert.False(revoked.WasAlreadyRevoked);
        Assert.NotNull(revoked.Key.RevokedAt);
        Assert.True(second.Succeeded(out var again, out _));
        Assert.True(again.WasAlreadyRevoked);
        Assert.Equal(revoked.Key.RevokedAt, again.Key.RevokedAt);
    }

    [Fact]
    public async Task RevokeAsync_AnotherTeamsKeyOrAnUnknownOne_IsNotFound()
    {
        var theirs = await CreateAsync(_db.Other.Id);

        var other = await _admin.RevokeAsync(_db.Team.Id, theirs.Id, CancellationToken.None);
        var unknown = await _admin.RevokeAsync(_db.Team.Id, Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(AdminStatus.NotFound, other.Error?.Status);
        Assert.Equal(AdminStatus.NotFound, unknown.Error?.Status);
        Assert.Null((await _db.Store.GetKeyAsync(_db.Other.Id, theirs.Id, CancellationToken.None))!.RevokedAt);
    }

    [Fact]
    public async Task FindAsync_ByIdPrefixOrWholeKey_FindsOnlyTheTeamsKey()
    {
        Assert.True((await _admin.CreateAsync(_db.Team.Id, "mine", ["READ_CALLS"], CancellationToken.None)).Succeeded(out var mine, out _));
        var theirs = await CreateAsync(_db.Other.Id);

        Assert.Equal(mine.Key.Id, (await _admin.FindAsync(_db.Team.Id, mine.Key.Id.ToString(), CancellationToken.None))?.Id);
        Assert.Equal(mine.Key.Id, (await _admin.FindAsync(_db.Team.Id, mine.Key.Prefix, CancellationToken.None))?.Id);
        Assert.Equal(mine.Key.Id, (await _admin.FindAsync(_db.Team.Id, " " + mine.Plaintext, CancellationToken.None))?.Id);
        Assert.Null(await _admin.FindAsync(_db.Team.Id, theirs.Prefix, CancellationToken.None));
        Assert.Null(await _admin.FindAsync(_db.Team.Id, theirs.Id.ToString(), CancellationToken.None));
        Assert.Null(await _admin.FindAsync(_db.Team.Id, "ci", CancellationToken.None));
    }

    private async Task<ApiKeyRecord> CreateAsync(Guid teamId)
    {
        Assert.True((await _admin.CreateAsync(teamId, "ci", ["READ_CALLS"], CancellationToken.None)).Succeeded(out var created, out _));
        return created.Key;
    }
}
