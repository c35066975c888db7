namespace Switchboard.Cli.Admin;

/// <summary>A team as <c>teams list --json</c> prints it.</summary>
internal sealed record TeamView(Guid Id, string Name, DateTimeOffset CreatedAt, bool IsDefault);
