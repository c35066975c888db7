namespace Switchboard.Cli.Admin;

/// <summary>An API key as listed (<c>GET /api/v1/keys</c>): never the plaintext or the hash.</summary>
internal sealed record KeyView(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt);
