namespace Switchboard.Cli.Admin;

/// <summary>The body of <c>POST /api/v1/keys</c>.</summary>
internal sealed record CreateKeyRequest(string Name, IReadOnlyList<string> Scopes);
