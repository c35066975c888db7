namespace Switchboard.Server.Api;

/// <summary>The key that made a request: id, public prefix and scopes.</summary>
internal sealed record TeamKeyInfo(Guid Id, string Prefix, IReadOnlyList<string> Scopes);
