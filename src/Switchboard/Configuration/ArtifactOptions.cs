namespace Switchboard.Configuration;

/// <summary>Post-call artifacts (section <c>Switchboard:Artifacts</c>).</summary>
public sealed record ArtifactOptions
{
    /// <summary>
    /// How long a call's end waits for the backend's summary (endpoints with <c>summary.enabled</c>), in seconds
    /// (default 8, 1-60). Past it the call ends without a summary.
    /// </summary>
    public double SummaryTimeoutSeconds { get; init; } = 8;

    /// <summary>Every problem with these settings, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix)
    {
        if (SummaryTimeoutSeconds is < 1 or > 60 || double.IsNaN(SummaryTimeoutSeconds))
        {
            yield return $"{prefix}:SummaryTimeoutSeconds must be 1-60 (got {SummaryTimeoutSeconds}).";
        }
    }
}
