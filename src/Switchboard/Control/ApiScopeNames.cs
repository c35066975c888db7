namespace Switchboard.Control;

/// <summary>The wire names of <see cref="ApiScopes"/> (<c>READ_TEAM_APPS</c>, …) and conversions.</summary>
internal static class ApiScopeNames
{
    private static readonly (ApiScopes Scope, string Name)[] Names =
    [
        (ApiScopes.ReadTeamApps, "READ_TEAM_APPS"),
        (ApiScopes.CreateCallToken, "CREATE_CALL_TOKEN"),
        (ApiScopes.ManageEndpoints, "MANAGE_ENDPOINTS"),
        (ApiScopes.ReadCalls, "READ_CALLS"),
        (ApiScopes.ManageCalls, "MANAGE_CALLS"),
        (ApiScopes.Admin, "ADMIN"),
    ];

    /// <summary>Every scope name, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>Whether a key holding <paramref name="granted"/> may act with <paramref name="required"/>.</summary>
    public static bool Allows(ApiScopes granted, ApiScopes required) =>
        (granted & ApiScopes.Admin) != 0 || (granted & required) == required;

    public static IReadOnlyList<string> ToNames(ApiScopes scopes) =>
        Names.Where(n => (scopes & n.Scope) != 0).Select(n => n.Name).ToArray();

    /// <summary>Parses names (case-insensitive, also accepts comma-separated items); false names the first unknown one.</summary>
    public static bool TryParse(IEnumerable<string> names, out ApiScopes scopes, out string? unknown)
    {
        scopes = ApiScopes.None;
        unknown = null;
        foreach (var raw in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var match = Array.FindIndex(Names, n => string.Equals(n.Name, raw, StringComparison.OrdinalIgnoreCase));
            if (match < 0)
            {
                unknown = raw;
                return false;
            }

            scopes |= Names[match].Scope;
        }

        return true;
    }
}
