namespace Switchboard.Configuration;

/// <summary>Root of the gateway configuration (section <c>Switchboard</c>).</summary>
public sealed record SwitchboardOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Switchboard";

    /// <summary>
    /// Public base URL the carriers use to reach this gateway (e.g. <c>https://gw.example.com</c>).
    /// Used to build the TwiML stream URL and to validate Twilio signatures behind a proxy.
    /// When empty, the request's own scheme and host are used.
    /// </summary>
    public string? PublicBaseUrl { get; init; }

    /// <summary>
    /// The carrier the operator mainly uses (<c>twilio</c> or <c>telnyx</c>; env <c>VOICE_CARRIER_PRIMARY</c>): its quick-start
    /// line is printed at start-up. <c>switchboard simulate</c> reads the same variable for its default <c>--carrier</c>.
    /// </summary>
    public string PrimaryCarrier { get; init; } = "twilio";

    /// <summary>Which realtime backend the agent leg talks to.</summary>
    public BackendOptions Backend { get; init; } = new();

    /// <summary>OpenAI Realtime settings.</summary>
    public OpenAIOptions OpenAI { get; init; } = new();

    /// <summary>The built-in local test agent (used when the effective backend is <see cref="BackendKind.Local"/>).</summary>
    public LocalBackendOptions Local { get; init; } = new();

    /// <summary>Azure OpenAI Realtime settings.</summary>
    public AzureOpenAIOptions Azure { get; init; } = new();

    /// <summary>The default agent: instructions, voice, turn detection, transcription.</summary>
    public AgentOptions Agent { get; init; } = new();

    /// <summary>Twilio Media Streams settings.</summary>
    public TwilioOptions Twilio { get; init; } = new();

    /// <summary>Telnyx media streaming settings.</summary>
    public TelnyxOptions Telnyx { get; init; } = new();

    /// <summary>Phone calls through the OpenAI and Azure Realtime SIP connector (webhook, accept, sideband).</summary>
    public SipOptions Sip { get; init; } = new();

    /// <summary>The Telegram bot that hands out Mini App call buttons (docs/telegram.md).</summary>
    public TelegramOptions Telegram { get; init; } = new();

    /// <summary>Live Mini App calls: operator bridge, public origin, caps, bootstrap limits (docs/telegram.md).</summary>
    public RealtimeOptions Realtime { get; init; } = new();

    /// <summary>Bridge tuning: playback marks, message limits, timers.</summary>
    public BridgeOptions Bridge { get; init; } = new();

    /// <summary>Developer diagnostics endpoints (off by default).</summary>
    public DiagnosticsOptions Diagnostics { get; init; } = new();

    /// <summary>The Prometheus scrape endpoint: on, loopback only, by default (docs/observability.md).</summary>
    public MetricsOptions Metrics { get; init; } = new();

    /// <summary>How socket I/O is scheduled (section <c>Switchboard:Performance</c>).</summary>
    public PerformanceOptions Performance { get; init; } = new();

    /// <summary>Durable storage: SQLite (default) or PostgreSQL.</summary>
    public StorageOptions Storage { get; init; } = new();

    /// <summary>Session tokens and the session WebSocket.</summary>
    public SessionOptions Sessions { get; init; } = new();

    /// <summary>Agent tools: secrets for HTTP tools, network policy.</summary>
    public ToolOptions Tools { get; init; } = new();

    /// <summary>The outbound policy for tenant-chosen URLs (webhooks, HTTP tools, remote configuration): which non-public networks they may reach.</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>Signed outbound webhooks: timeout, retries, polling.</summary>
    public WebhookOptions Webhooks { get; init; } = new();

    /// <summary>The gateway-wide hot hand-off target (an endpoint's own <c>handoff</c> wins).</summary>
    public HandoffOptions Handoff { get; init; } = new();

    /// <summary>Post-call artifacts: how long a call waits for its summary.</summary>
    public ArtifactOptions Artifacts { get; init; } = new();

    /// <summary>
    /// Prices per model for the artifact's estimated cost (<c>Switchboard:Pricing:&lt;model&gt;:InputTextPerMillion</c>, …). A model
    /// named here replaces the built-in price of that model (<c>gpt-realtime</c>, <c>gpt-realtime-mini</c>); a model priced nowhere
    /// has no estimate (null).
    /// </summary>
    public Dictionary<string, ModelPriceOptions> Pricing { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The node's concurrency cap and the defaults of every endpoint's limits (docs/limits.md).</summary>
    public LimitOptions Limits { get; init; } = new();

    /// <summary>Graceful drain on SIGTERM or <c>POST /api/v1/admin/drain</c>.</summary>
    public DrainOptions Drain { get; init; } = new();

    /// <summary>This node's id, written on each call it runs so a restart closes the calls a crash left open.</summary>
    public NodeOptions Node { get; init; } = new();

    /// <summary>Keyless demo sessions for the talk page.</summary>
    public DemoOptions Demo { get; init; } = new();

    /// <summary>Token-bucket rate limits per client address, API key and team (section <c>Switchboard:RateLimits</c>).</summary>
    public RateLimitOptions RateLimits { get; init; } = new();

    /// <summary>Shared state of several nodes on Redis (section <c>Switchboard:Redis</c>, docs/cluster.md); off by default.</summary>
    public RedisOptions Redis { get; init; } = new();
}
