namespace Switchboard.Journal;

/// <summary>Machine-readable reasons a call ended (the journal's <c>reason</c>).</summary>
internal static class CallEndReason
{
    public const string CallerHangup = "caller_hangup";
    public const string CarrierClosed = "carrier_closed";

    /// <summary>A browser (or app) closed its session socket without a <c>hangup</c>: the user left the page or lost the connection.</summary>
    public const string ClientClosed = "client_closed";
    public const string CarrierProtocolError = "carrier_protocol_error";
    public const string StartTimeout = "start_timeout";
    public const string BackendUnavailable = "backend_unavailable";
    public const string BackendDisconnected = "backend_disconnected";
    public const string MaxDuration = "max_duration";
    public const string GatewayShutdown = "gateway_shutdown";
    public const string InternalError = "internal_error";

    /// <summary>The agent ended the call with the built-in <c>end_call</c> tool (after its goodbye played out).</summary>
    public const string AgentEnded = "agent_ended";

    /// <summary>The carrier accepted a transfer the agent asked for (<c>transfer_call</c>/<c>handoff_human</c>).</summary>
    public const string Transferred = "transferred";

    /// <summary>Admission refused: unknown endpoint, or the endpoint does not accept this carrier.</summary>
    public const string EndpointRejected = "endpoint_rejected";

    /// <summary>A session conversation replaced by a newer connection to the same session.</summary>
    public const string Superseded = "superseded";

    /// <summary>A session conversation that outlived its session's lifetime.</summary>
    public const string SessionExpired = "session_expired";

    /// <summary>Nobody spoke for the endpoint's <c>idleTimeoutSeconds</c>; the agent said goodbye.</summary>
    public const string IdleTimeout = "idle_timeout";

    /// <summary>A cost budget (the call's) or a daily budget (seconds or cost, the endpoint's or the team's) ran out mid-call; the agent said goodbye.</summary>
    public const string BudgetExhausted = "budget_exhausted";

    /// <summary>The node drained (SIGTERM or <c>POST /api/v1/admin/drain</c>) and the drain's timeout came; the agent said goodbye.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>An operator hung the call up (<c>POST /api/v1/calls/{id}/hangup</c>), after the agent's goodbye.</summary>
    public const string OperatorHangup = "operator_hangup";

    /// <summary>
    /// Not a journal reason: what a bridge passes to <c>ICallerLeg.CloseFor</c> for a call refused by its limits
    /// (the leg's "try again later": 1013 for a carrier, 4429 for a session). The journal's <c>CallRefused</c> says which limit.
    /// </summary>
    public const string Refused = "refused";

    /// <summary>
    /// The node running the call stopped without ending it (killed, crashed, lost power): found open when the node started
    /// again and closed then, with what was journalled until the stop.
    /// </summary>
    public const string NodeLost = "node_lost";

    /// <summary>A carrier stream sent no complete frame for <c>Bridge:MediaTimeoutSeconds</c> after its start (closed 1008 <c>media timeout</c>).</summary>
    public const string MediaTimeout = "media_timeout";
}
