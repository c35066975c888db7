namespace Switchboard.Cli.Admin;

/// <summary>The fields of an <c>application/problem+json</c> error body that the CLI prints.</summary>
internal sealed record Problem(int? Status, string? Title, string? Detail, Dictionary<string, string[]>? Errors);
