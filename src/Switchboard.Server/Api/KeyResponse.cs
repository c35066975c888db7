using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>An API key as listed: never the hash or the plaintext.</summary>
internal sealed record KeyResponse(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public static KeyResponse From(ApiKeyRecord key) =>
        new(key.Id, key.Name, key.Prefix, ApiScopeNames.ToNames(key.Scopes), key.CreatedAt, key.RevokedAt, key.LastUsedAt);
}
