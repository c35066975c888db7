namespace Switchboard.Configuration;

/// <summary>Graceful drain (section <c>Switchboard:Drain</c>): what SIGTERM and <c>POST /api/v1/admin/drain</c> do.</summary>
public sealed record DrainOptions
{
    /// <summary>How long running calls may go on once draining starts, in seconds; then each gets a goodbye and ends <c>shutdown</c>.</summary>
    public int TimeoutSeconds { get; init; } = 300;

    internal IEnumerable<string> Validate(string prefix)
    {
        if (TimeoutSeconds is < 0 or > 86_400)
        {
            yield return $"{prefix}:TimeoutSeconds must be 0 to 86400 (got {TimeoutSeconds}).";
        }
    }
}
