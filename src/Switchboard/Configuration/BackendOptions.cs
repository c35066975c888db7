namespace Switchboard.Configuration;

/// <summary>Backend selection (section <c>Switchboard:Backend</c>).</summary>
public sealed record BackendOptions
{
    /// <summary>Which backend to use. <see cref="BackendKind.Auto"/> picks by the keys present.</summary>
    public BackendKind Kind { get; init; } = BackendKind.Auto;

    /// <summary>Seconds allowed for the backend WebSocket to connect and send <c>session.created</c>.</summary>
    public int ConnectTimeoutSeconds { get; init; } = 10;

    /// <summary>
    /// Seconds a call may spend regaining a dropped backend session (attempts with backoff) before it ends
    /// <c>backend_unavailable</c>; 0 turns reconnecting off (a drop ends the call <c>backend_disconnected</c>).
    /// </summary>
    public double ReconnectBudgetSeconds { get; init; } = 5;

    /// <summary>The wait after the first failed reconnect attempt; it doubles after each failure up to <see cref="ReconnectMaxBackoffMs"/>.</summary>
    public int ReconnectInitialBackoffMs { get; init; } = 250;

    /// <summary>The longest wait between two reconnect attempts.</summary>
    public int ReconnectMaxBackoffMs { get; init; } = 2000;

    /// <summary>How many times one call may regain its backend; the next drop ends it <c>backend_disconnected</c> (a backend that keeps dropping).</summary>
    public int MaxReconnectsPerCall { get; init; } = 10;

    /// <summary>Seconds between WebSocket pings on the agent leg.</summary>
    public int KeepAliveSeconds { get; init; } = 5;

    /// <summary>
    /// Seconds a ping may go unanswered before the agent leg counts as dropped (a black-holed connection); with
    /// <see cref="KeepAliveSeconds"/> this bounds how long a silent backend goes unnoticed.
    /// </summary>
    public int KeepAliveTimeoutSeconds { get; init; } = 5;

    /// <summary>
    /// Minutes after which a call's backend session is replaced by a fresh one with the conversation replayed, at the
    /// next quiet moment (backends cap a session's length: 60 minutes for OpenAI); 0 never recycles.
    /// </summary>
    public double SessionMaxAgeMinutes { get; init; } = 55;
}
