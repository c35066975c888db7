namespace Switchboard.Server.Api;

/// <summary>A new API key. <see cref="Key"/> is the plaintext, shown in this response only.</summary>
internal sealed record CreatedKeyResponse(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, string Key);
