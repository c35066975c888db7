namespace Switchboard.Cli.Admin;

/// <summary>The body of <c>GET /api/v1/keys</c>, also what <c>keys list --json</c> prints.</summary>
internal sealed record KeyList(IReadOnlyList<KeyView> Keys);
