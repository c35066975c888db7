namespace Switchboard.Server.Api;

/// <summary>Body of <c>POST /api/v1/keys</c>.</summary>
internal sealed record CreateKeyRequest
{
    /// <summary>A label for listings (1-100 characters), e.g. <c>ci</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Scope names: READ_TEAM_APPS, CREATE_CALL_TOKEN, MANAGE_ENDPOINTS, READ_CALLS, MANAGE_CALLS, ADMIN (at least one).</summary>
    public required IReadOnlyList<string> Scopes { get; init; }
}
