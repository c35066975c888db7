namespace Switchboard.Cli.Admin;

/// <summary>A new API key (<c>POST /api/v1/keys</c>): the only time the plaintext <see cref="Key"/> exists outside the caller.</summary>
internal sealed record CreatedKey(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    string Key);
