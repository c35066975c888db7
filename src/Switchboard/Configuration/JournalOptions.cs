namespace Switchboard.Configuration;

/// <summary>Call journal settings (section <c>Switchboard:Journal</c>).</summary>
public sealed record JournalOptions
{
    /// <summary>Directory for per-call event files (JSON lines). Relative paths resolve against the working directory.</summary>
    public string Directory { get; init; } = "data/calls";
}
