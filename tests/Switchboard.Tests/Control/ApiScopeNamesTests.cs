using Switchboard.Control;

namespace Switchboard.Tests.Control;

public class ApiScopeNamesTests
{
    [Fact]
    public void TryParse_MixedCase_ParsesEachName()
    {
        Assert.True(ApiScopeNames.TryParse(["read_calls", "Manage_Endpoints", "ADMIN"], out var scopes, out var unknown));
        Assert.Equal(ApiScopes.ReadCalls | ApiScopes.ManageEndpoints | ApiScopes.Admin, scopes);
        Assert.Null(unknown);
    }

    [Fact]
    public void TryParse_CommaSeparatedItems_AreSplitTrimmedAndEmptyOnesSkipped()
    {
        Assert.True(ApiScopeNames.TryParse(["READ_TEAM_APPS, create_call_token", ",,READ_CALLS ,"], out var scopes, out _));
        Assert.Equal(ApiScopes.ReadTeamApps | ApiScopes.CreateCallToken | ApiScopes.ReadCalls, scopes);
    }

    [Fact]
    public void TryParse_UnknownName_IsFalseAndNamesIt()
    {
        Assert.False(ApiScopeNames.TryParse(["READ_CALLS", "READ_CALLS,WRITE_CALLS", "NOPE"], out _, out var unknown));
        Assert.Equal("WRITE_CALLS", unknown);
    }

    [Fact]
    public void TryParse_Nothing_IsNone()
    {
        Assert.True(ApiScopeNames.TryParse([], out var scopes, out var unknown));
        Assert.Equal((ApiScopes.None, (string?)null), (scopes, unknown));
    }

    [Fact]
    public void ToNames_EveryScope_RoundTripsThroughTryParse()
    {
        Assert.Equal(ApiScopeNames.All, ApiScopeNames.ToNames(ApiScopes.All));
        foreach (var scopes in new[] { ApiScopes.None, ApiScopes.ReadCalls, ApiScopes.ReadTeamApps | ApiScopes.ManageEndpoints, ApiScopes.All })
        {
            Assert.True(ApiScopeNames.TryParse(ApiScopeNames.ToNames(scopes), out var parsed, out _));
            Assert.Equal(scopes, parsed);
        }
    }

    [Fact]
    public void Allows_Admin_ImpliesEveryScope()
    {
        foreach (var required in new[] { ApiScopes.ReadTeamApps, ApiScopes.CreateCallToken, ApiScopes.ManageEndpoints, ApiScopes.ReadCalls, ApiScopes.Admin, ApiScopes.All })
        {
            Assert.True(ApiScopeNames.Allows(ApiScopes.Admin, required), required.ToString());
        }
    }

    [Fact]
    public void Allows_WithoutAdmin_NeedsEveryRequiredScope()
    {
        Assert.True(ApiScopeNames.Allows(ApiScopes.ReadCalls, ApiScopes.ReadCalls));
        Assert.True(ApiScopeNames.Allows(ApiScopes.ReadCalls | ApiScopes.ManageEndpoints, ApiScopes.ReadCalls));
        Assert.False(ApiScopeNames.Allows(ApiScopes.ReadCalls, ApiScopes.ManageEndpoints));
        Assert.False(ApiScopeNames.Allows(ApiScopes.ReadCalls, ApiScopes.ReadCalls | ApiScopes.ManageEndpoints));
        Assert.False(ApiScopeNames.Allows(ApiScopes.None, ApiScopes.ReadTeamApps));
        Assert.False(ApiScopeNames.Allows(ApiScopes.ReadTeamApps | ApiScopes.CreateCallToken | ApiScopes.ManageEndpoints | ApiScopes.ReadCalls, ApiScopes.Admin));
    }
}
