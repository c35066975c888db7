namespace Switchboard.Control;

/// <summary>A stored API key: never the plaintext, only its public prefix and hash.</summary>
internal sealed record ApiKeyRecord
{
    public required Guid Id { get; init; }

    public required Guid TeamId { get; init; }

    public required string Name { get; init; }

    /// <summary>The visible start of the key (<c>sb_xxxxxxxx</c>), unique, used to find the row.</summary>
    public required string Prefix { get; init; }

    /// <summary>SHA-256 of the whole key.</summary>
    public required byte[] Hash { get; init; }

    public required ApiScopes Scopes { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public bool IsRevoked => RevokedAt is not null;
}
