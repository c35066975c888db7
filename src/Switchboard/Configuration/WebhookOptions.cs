namespace Switchboard.Configuration;

/// <summary>Outbound webhook delivery (section <c>Switchboard:Webhooks</c>).</summary>
public sealed record WebhookOptions
{
    /// <summary>The retry schedule used when <see cref="RetryScheduleSeconds"/> is not set: 5 s, 30 s, 2 min, 10 min, 30 min, then hourly.</summary>
    public static readonly IReadOnlyList<double> DefaultRetrySchedule = [5, 30, 120, 600, 1800, 3600];

    /// <summary>Whether this node sends deliveries (default true). Deliveries are still written when false, for another node to send.</summary>
    public bool DispatcherEnabled { get; init; } = true;

    /// <summary>How long one attempt may take, connect to last response byte, in seconds (default 10).</summary>
    public double TimeoutSeconds { get; init; } = 10;

    /// <summary>Attempts before a delivery is marked failed (default 30: about a day with the default schedule).</summary>
    public int MaxAttempts { get; init; } = 30;

    /// <summary>
    /// Delays before the 2nd, 3rd, … attempt, in seconds; the last one repeats. Each delay is drawn at random between
    /// half and all of its step (jitter). Unset: <see cref="DefaultRetrySchedule"/>.
    /// </summary>
    public double[]? RetryScheduleSeconds { get; init; }

    /// <summary>How often the dispatcher looks for due deliveries written by other nodes, in seconds (default 5). Deliveries written by this node wake it at once.</summary>
    public double PollIntervalSeconds { get; init; } = 5;

    /// <summary>How long a node holds a claimed delivery before another may take it, in seconds (default 60; more than <see cref="TimeoutSeconds"/>).</summary>
    public double LeaseSeconds { get; init; } = 60;

    /// <summary>Deliveries one node sends at the same time (default 8).</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>The effective retry schedule.</summary>
    public IReadOnlyList<double> EffectiveRetrySchedule => RetryScheduleSeconds is { Length: > 0 } schedule ? schedule : DefaultRetrySchedule;

    /// <summary>Every problem with these settings, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix)
    {
        if (TimeoutSeconds is < 1 or > 120 || double.IsNaN(TimeoutSeconds))
        {
            yield return $"{prefix}:TimeoutSeconds must be 1-120 (got {TimeoutSeconds}).";
        }

        if (MaxAttempts is < 1 or > 100)
        {
            yield return $"{prefix}:MaxAttempts must be 1-100 (got {MaxAttempts}).";
        }

        if (RetryScheduleSeconds is { } schedule && schedule.Any(s => s is < 0.01 or > 86_400 || double.IsNaN(s)))
        {
            yield return $"{prefix}:RetryScheduleSeconds must list delays of 0.01-86400 seconds (got {string.Join(", ", schedule)}).";
        }

        if (PollIntervalSeconds is < 0.05 or > 300 || double.IsNaN(PollIntervalSeconds))
        {
            yield return $"{prefix}:PollIntervalSeconds must be 0.05-300 (got {PollIntervalSeconds}).";
        }

        if (LeaseSeconds is < 1 or > 3600 || double.IsNaN(LeaseSeconds) || LeaseSeconds <= TimeoutSeconds)
        {
            yield return $"{prefix}:LeaseSeconds must be 1-3600 and more than TimeoutSeconds (got {LeaseSeconds}; TimeoutSeconds is {TimeoutSeconds}).";
        }

        if (MaxConcurrency is < 1 or > 256)
        {
            yield return $"{prefix}:MaxConcurrency must be 1-256 (got {MaxConcurrency}).";
        }
    }
}
