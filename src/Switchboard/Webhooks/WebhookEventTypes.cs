namespace Switchboard.Webhooks;

/// <summary>The event types a subscription may name.</summary>
internal static class WebhookEventTypes
{
    /// <summary>A call or session was admitted and started.</summary>
    public const string CallStarted = "call.started";

    /// <summary>A call ended, for any reason.</summary>
    public const string CallEnded = "call.ended";

    /// <summary>The post-call artifact is ready (emitted by the artifact feature).</summary>
    public const string CallArtifact = "call.artifact";

    /// <summary>A mid-call hot hand-off (e.g. a qualified lead).</summary>
    public const string HandoffHot = "handoff.hot";

    /// <summary>A tool call failed.</summary>
    public const string ToolFailed = "tool.failed";

    /// <summary>A call was refused at admission (busy, a budget exhausted, the node draining, the endpoint refusing it).</summary>
    public const string CallRefused = "call.refused";

    public static readonly IReadOnlyList<string> All = [CallStarted, CallEnded, CallArtifact, HandoffHot, ToolFailed, CallRefused];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
