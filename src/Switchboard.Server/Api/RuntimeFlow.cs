namespace Switchboard.Server.Api;

/// <summary>An entry point a session may start at (<c>default</c> is always there).</summary>
internal sealed record RuntimeFlow(string Name, string? Description);
