namespace Switchboard.Journal;

/// <summary>Keys of <see cref="CallEvent.Data"/> that storage and APIs read.</summary>
internal static class CallEventKeys
{
    /// <summary>The channel: <c>twilio</c>, <c>telnyx</c>, <c>websocket</c>.</summary>
    public const string Carrier = "carrier";

    public const string CarrierCallId = "carrier_call_id";

    public const string StreamId = "stream_id";

    public const string From = "from";

    public const string To = "to";

    public const string TeamId = "team_id";

    public const string EndpointId = "endpoint_id";

    public const string SessionId = "session_id";

    /// <summary>On <c>CallStarted</c>: the call's metadata as a JSON object of strings (<see cref="CallMetadata"/>).</summary>
    public const string Metadata = "metadata";

    /// <summary>On <c>CallStarted</c>: where the call's hot hand-offs go (the endpoint's or the gateway's target), if anywhere.</summary>
    public const string HandoffUrl = "handoff_url";

    /// <summary>On <c>CallStarted</c>: which bearer token goes with <see cref="HandoffUrl"/>, by reference, never the token itself.</summary>
    public const string HandoffAuth = "handoff_auth";

    /// <summary>On <c>CallStarted</c>: the id of the node that runs the call (<c>Switchboard:Node:Id</c>).</summary>
    public const string NodeId = "node_id";

    /// <summary>On <c>CallEnded</c>: the call's length in milliseconds.</summary>
    public const string DurationMs = "duration_ms";

    /// <summary>On <c>CallEnded</c>: the call's estimated model cost in US dollars (invariant culture), when its model has a price.</summary>
    public const string CostUsd = "cost_usd";
}
