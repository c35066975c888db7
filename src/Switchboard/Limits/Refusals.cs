namespace Switchboard.Limits;

/// <summary>Why admission refused a call (the journal's <c>reason</c> of <c>CallRefused</c>, the <c>call.refused</c> webhook's).</summary>
internal static class Refusals
{
    /// <summary>A concurrency cap is full (the node's, the team's or the endpoint's).</summary>
    public const string Busy = "busy";

    /// <summary>A daily budget (seconds or cost, the endpoint's or the team's) is used up.</summary>
    public const string BudgetExhausted = "budget_exhausted";

    /// <summary>Redis, which counts the shared caps, is unreachable and the outage policy is <c>refuse</c> (docs/cluster.md).</summary>
    public const string SharedStateUnavailable = "shared_state_unavailable";

    /// <summary>The node is draining for a restart.</summary>
    public const string Draining = "draining";

    /// <summary>The endpoint is unknown or does not take this call (channel, mode, flow).</summary>
    public const string EndpointRejected = "endpoint_rejected";
}

/// <summary>A refusal: the reason code, what to tell the caller and the operator, and when trying again may help.</summary>
internal sealed record Refusal(string Reason, string Detail, TimeSpan RetryAfter)
{
    /// <summary>Whole seconds for a <c>Retry-After</c> header (at least 1).</summary>
    public int RetryAfterSeconds => (int)Math.Clamp(Math.Ceiling(RetryAfter.TotalSeconds), 1, int.MaxValue);
}
