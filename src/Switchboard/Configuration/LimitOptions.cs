namespace Switchboard.Configuration;

/// <summary>
/// Gateway-wide limits (section <c>Switchboard:Limits</c>, docs/limits.md): the node's concurrency cap, and the defaults an
/// endpoint's <c>limits</c> fall back to when it leaves a warning or idle time unset.
/// </summary>
public sealed record LimitOptions
{
    /// <summary>Calls this node runs at once, all teams together (0: no cap). Protects the node, not a tenant.</summary>
    public int MaxConcurrentCalls { get; init; } = 1000;

    /// <summary>How long before the longest call the agent is told to wrap up, in seconds (0: no warning).</summary>
    public int CallWarningSeconds { get; init; } = 30;

    /// <summary>Silence from both sides after which the agent asks whether the caller is still there, in seconds (0: off).</summary>
    public int IdleWarningSeconds { get; init; } = 60;

    /// <summary>Silence from both sides after which the agent says goodbye and the call ends <c>idle_timeout</c>, in seconds (0: off).</summary>
    public int IdleTimeoutSeconds { get; init; } = 120;

    /// <summary>
    /// Longest a limit's goodbye may take, in seconds: the agent's last answer finishing, the goodbye spoken and played.
    /// A call ended by a limit is never billed past the limit plus this.
    /// </summary>
    public int GoodbyeSeconds { get; init; } = 10;

    /// <summary>Share of a cost budget at which the agent is told to wrap up (0.5–1; 1: no warning).</summary>
    public double CostWarningFraction { get; init; } = 0.8;

    /// <summary><c>Retry-After</c> of a refusal for a full concurrency cap, in seconds.</summary>
    public int BusyRetryAfterSeconds { get; init; } = 5;

    internal IEnumerable<string> Validate(string prefix)
    {
        if (MaxConcurrentCalls is < 0 or > 1_000_000)
        {
            yield return $"{prefix}:MaxConcurrentCalls must be 0 (no cap) to 1000000 (got {MaxConcurrentCalls}).";
        }

        if (CallWarningSeconds is < 0 or > 3600)
        {
            yield return $"{prefix}:CallWarningSeconds must be 0 (off) to 3600 (got {CallWarningSeconds}).";
        }

        if (IdleWarningSeconds is < 0 or > 86_400 || IdleTimeoutSeconds is < 0 or > 86_400)
        {
            yield return $"{prefix}:IdleWarningSeconds and IdleTimeoutSeconds must be 0 (off) to 86400 (got {IdleWarningSeconds} and {IdleTimeoutSeconds}).";
        }
        else if (IdleWarningSeconds > 0 && IdleTimeoutSeconds > 0 && IdleWarningSeconds >= IdleTimeoutSeconds)
        {
            yield return $"{prefix}:IdleWarningSeconds ({IdleWarningSeconds}) must be shorter than IdleTimeoutSeconds ({IdleTimeoutSeconds}).";
        }

        if (GoodbyeSeconds is < 1 or > 60)
        {
            yield return $"{prefix}:GoodbyeSeconds must be 1 to 60 (got {GoodbyeSeconds}).";
        }

        if (!double.IsFinite(CostWarningFraction) || CostWarningFraction is < 0.5 or > 1)
        {
            yield return $"{prefix}:CostWarningFraction must be 0.5 to 1 (got {CostWarningFraction}).";
        }

        if (BusyRetryAfterSeconds is < 1 or > 3600)
        {
            yield return $"{prefix}:BusyRetryAfterSeconds must be 1 to 3600 (got {BusyRetryAfterSeconds}).";
        }
    }
}
