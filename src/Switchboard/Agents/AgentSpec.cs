using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Agents;

/// <summary>
/// Everything that makes an endpoint's agent: backend and model, voice, instructions, greeting, tools, turn
/// detection, transcription, limits, and which transports and interaction modes it allows. Stored as one JSON
/// document; missing fields take these defaults, so older rows keep working as fields are added.
/// </summary>
/// <remarks>
/// Properties with a default are <c>set</c>, not <c>init</c>: the JSON source generator assigns every init-only
/// property when it deserializes, so a field missing from the JSON would become null or 0 instead of its default
/// (dotnet/runtime#84484). Treat the records as immutable all the same and change them with <c>with</c>.
/// </remarks>
internal sealed record AgentSpec
{
    /// <summary><c>default</c> (the gateway's configured backend), <c>openai</c>, <c>azure</c> or <c>local</c>.</summary>
    public string Backend { get; set; } = "default";

    /// <summary>Model (OpenAI) or deployment (Azure); empty uses the gateway's configured one.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// Where the call goes when this backend cannot be reached at the start or is lost mid-call beyond the reconnect
    /// budget (another backend, or the same with another model); null: no failover.
    /// </summary>
    public BackendFallbackSpec? Fallback { get; init; }

    public string Voice { get; set; } = "marin";

    public string Instructions { get; set; } = "You are a helpful, concise phone agent. Keep answers short.";

    /// <summary>When set the agent speaks first with this greeting.</summary>
    public string? Greeting { get; init; }

    /// <summary><c>auto</c>, <c>pcmu</c>, <c>pcma</c> or <c>pcm24</c> on the backend leg.</summary>
    public string AudioFormat { get; set; } = "auto";

    public TurnDetectionSpec TurnDetection { get; set; } = new();

    public TranscriptionSpec Transcription { get; set; } = new();

    public LimitsSpec Limits { get; set; } = new();

    /// <summary>How much of the caller's and callee's numbers the post-call artifact shows.</summary>
    public PrivacySpec Privacy { get; set; } = new();

    /// <summary>Whether the backend writes a short summary of the call before its session closes (for the artifact).</summary>
    public SummarySpec Summary { get; set; } = new();

    /// <summary>Function tools offered to the model.</summary>
    public IReadOnlyList<ToolSpec> Tools { get; set; } = [];

    /// <summary>Allowed transports (<see cref="Transports"/>).</summary>
    public IReadOnlyList<string> Carriers { get; set; } = Transports.All;

    /// <summary>Allowed interaction modes (<see cref="InteractionModes"/>).</summary>
    public IReadOnlyList<string> Modes { get; set; } = InteractionModes.All;

    /// <summary>
    /// The id the team's own system knows this endpoint by (an org id of a multi-tenant voice server: <c>?orgId=</c> on
    /// <c>/twiml/start</c> and <c>/ws/twilio</c>); unique per team; <c>[A-Za-z0-9._:-]{1,128}</c>.
    /// </summary>
    public string? ExternalId { get; init; }

    /// <summary>E.164 numbers whose inbound carrier calls land on this endpoint.</summary>
    public IReadOnlyList<string> PhoneNumbers { get; set; } = [];

    /// <summary>Actions the agent may ask a browser page to perform (<c>browser_actions</c> mode).</summary>
    public IReadOnlyList<BrowserActionSpec> BrowserActions { get; set; } = [];

    /// <summary>Named entry points a session may start at (each may override the greeting and add instructions).</summary>
    public IReadOnlyList<FlowSpec> Flows { get; set; } = [];

    /// <summary>Where the built-in <c>transfer_call</c>/<c>handoff_human</c> tools may send a phone call (an allow-list).</summary>
    public TransferSpec Transfer { get; set; } = new();

    /// <summary>When set, instructions, greeting and tools are fetched from the owning app at call start (see docs/tools.md).</summary>
    public RemoteConfigSpec? RemoteConfig { get; init; }

    /// <summary>Where this endpoint's hot hand-offs are POSTed (wins over the gateway's <c>Switchboard:Handoff</c>); docs/tools.md.</summary>
    public HandoffSpec? Handoff { get; init; }

    /// <summary>When set, sessions on this endpoint open a conversation an external chatbot calls back into (docs/migrating.md).</summary>
    public ChatbotSpec? Chatbot { get; init; }
}

/// <summary>An endpoint's hot hand-off target: each <c>hot_handoff</c> is POSTed there from the durable outbox.</summary>
internal sealed record HandoffSpec
{
    /// <summary>Absolute <c>http(s)</c> URL (the outbound policy applies, as for webhooks).</summary>
    public required string Url { get; init; }

    /// <summary>Name of the token in <c>Switchboard:Tools:Secrets</c>, sent as <c>Authorization: Bearer …</c>; none when null.</summary>
    public string? Secret { get; init; }
}

/// <summary>Transfer targets of an endpoint: the only places a call can be transferred to, by name.</summary>
internal sealed record TransferSpec
{
    /// <summary>The allowed targets; the model names one (<c>{"target":"billing"}</c>), never a number of its own.</summary>
    public IReadOnlyList<TransferTargetSpec> Targets { get; set; } = [];

    /// <summary>E.164 number shown to the transfer target (Twilio <c>&lt;Dial callerId&gt;</c>, Telnyx <c>from</c>); carrier default when null.</summary>
    public string? CallerId { get; init; }
}

/// <summary>One transfer target.</summary>
internal sealed record TransferTargetSpec
{
    /// <summary>What the model calls it (<c>[a-zA-Z0-9_-]{1,64}</c>, unique).</summary>
    public required string Name { get; init; }

    /// <summary>An E.164 number (<c>+15551234567</c>) or a SIP URI (<c>sip:desk@pbx.example.com</c>).</summary>
    public required string To { get; init; }

    /// <summary>When to use it, for the model (part of the default tool description).</summary>
    public string? Description { get; init; }
}

/// <summary>Where an endpoint's instructions, greeting and tools come from at call start, and how long they are kept.</summary>
internal sealed record RemoteConfigSpec
{
    /// <summary>Absolute <c>http(s)</c> URL answering <c>GET</c> with <c>{ instructions?, greeting?, tools? }</c>.</summary>
    public required string Url { get; init; }

    /// <summary>Name of the server-to-server key in <c>Switchboard:Tools:Secrets</c>, sent as <c>Authorization: Bearer …</c>.</summary>
    public string? Secret { get; init; }

    /// <summary>How long a fetched configuration is reused, in seconds (0–86400; default 60).</summary>
    public int TtlSeconds { get; set; } = 60;

    /// <summary>How long a fetch may take before the call starts with the fallback, in ms (100–10000; default 2000).</summary>
    public int TimeoutMs { get; set; } = 2000;

    /// <summary>When set, the answer is the app's own shape, read through this mapping (docs/tools.md); otherwise <c>{ instructions?, greeting?, tools? }</c>.</summary>
    public RemoteConfigMappingSpec? Mapping { get; init; }
}

/// <summary>Turn detection settings sent in <c>session.update</c>.</summary>
internal sealed record TurnDetectionSpec
{
    /// <summary><c>server_vad</c>, <c>semantic_vad</c> or <c>none</c>.</summary>
    public string Type { get; set; } = "server_vad";

    public double Threshold { get; set; } = 0.5;

    public int PrefixPaddingMs { get; set; } = 300;

    public int SilenceDurationMs { get; set; } = 500;
}

/// <summary>Input transcription settings.</summary>
internal sealed record TranscriptionSpec
{
    /// <summary>Empty or null disables caller transcripts. Written even when null, so "no transcripts" survives storage instead of reading back as the default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Model { get; set; } = "gpt-4o-mini-transcribe";

    public string? Language { get; init; }
}

/// <summary>
/// Per-endpoint limits (docs/limits.md). Caps and budgets: 0 means none from the endpoint (the team's and the gateway's
/// still apply; the tighter wins). Warnings and idle times: null means the gateway's default, 0 turns them off.
/// </summary>
internal sealed record LimitsSpec
{
    /// <summary>Longest call or session conversation, in seconds (0: gateway's <c>Bridge:MaxCallSeconds</c>).</summary>
    public int MaxCallSeconds { get; init; }

    /// <summary>How long before <see cref="MaxCallSeconds"/> the agent is told to wrap up (null: gateway default; 0: no warning).</summary>
    public int? CallWarningSeconds { get; init; }

    /// <summary>Silence from both sides after which the agent asks whether the caller is still there (null: gateway default; 0: off).</summary>
    public int? IdleWarningSeconds { get; init; }

    /// <summary>Silence from both sides after which the agent says goodbye and the call ends <c>idle_timeout</c> (null: gateway default; 0: off).</summary>
    public int? IdleTimeoutSeconds { get; init; }

    /// <summary>Call seconds this endpoint may use per day (0: no budget).</summary>
    public int MaxDailyCallSeconds { get; init; }

    /// <summary>Estimated model cost one call may reach, in US dollars (0: no budget).</summary>
    public double MaxCallCostUsd { get; init; }

    /// <summary>Estimated model cost this endpoint may reach per day, in US dollars (0: no budget).</summary>
    public double MaxDailyCostUsd { get; init; }

    /// <summary>Calls this endpoint may run at once (0: no cap of its own).</summary>
    public int MaxConcurrentCalls { get; init; }

    /// <summary>Lifetime of a session created for this endpoint, in seconds.</summary>
    public int SessionTtlSeconds { get; set; } = 3600;
}

/// <summary>A function tool: name, description and JSON Schema parameters.</summary>
internal sealed record ToolSpec
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>JSON Schema of the arguments (an object schema). Arguments that break it are refused before the tool runs.</summary>
    public JsonElement? Parameters { get; init; }

    /// <summary>Longest the tool may run, in seconds (1–120); 0 means the gateway's default of 10 s.</summary>
    public int TimeoutSeconds { get; init; }

    /// <summary>When set, the tool is an HTTP call to the owning app (see docs/tools.md); otherwise the host's tool invoker runs it.</summary>
    public HttpToolSpec? Http { get; init; }
}

/// <summary>An HTTP tool: where the arguments go and how the request is authenticated.</summary>
internal sealed record HttpToolSpec
{
    /// <summary>Absolute <c>http(s)</c> URL.</summary>
    public required string Url { get; init; }

    /// <summary><c>POST</c> (default), <c>PUT</c>, <c>PATCH</c> (JSON body) or <c>GET</c> (top-level arguments as query parameters).</summary>
    public string Method { get; set; } = "POST";

    /// <summary>Request headers: literal values, or secrets named from configuration (<c>Switchboard:Tools:Secrets:&lt;name&gt;</c>).</summary>
    public IReadOnlyList<HttpToolHeader> Headers { get; set; } = [];

    /// <summary>Whether the caller's number is sent in the call context (off by default: it is personal data).</summary>
    public bool IncludeCaller { get; init; }

    /// <summary>Longest response body handed to the model, in bytes (1–1 048 576; default 16 384). Longer bodies are cut and marked.</summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024;
}

/// <summary>One request header of an HTTP tool: exactly one of <see cref="Value"/> and <see cref="Secret"/>.</summary>
internal sealed record HttpToolHeader
{
    public required string Name { get; init; }

    /// <summary>A literal value (not allowed for credential headers such as <c>Authorization</c>).</summary>
    public string? Value { get; init; }

    /// <summary>The name of a secret in the gateway's configuration; the endpoint never holds the secret itself.</summary>
    public string? Secret { get; init; }

    /// <summary>How the secret is written, e.g. <c>Bearer {secret}</c>; default <c>{secret}</c>.</summary>
    public string? Format { get; init; }
}

/// <summary>An action a browser page performs for the agent (e.g. show a message, open a URL).</summary>
internal sealed record BrowserActionSpec
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public JsonElement? Parameters { get; init; }
}

/// <summary>A named entry point into the conversation.</summary>
internal sealed record FlowSpec
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>Replaces the endpoint's greeting when the session starts here.</summary>
    public string? Greeting { get; init; }

    /// <summary>Appended to the endpoint's instructions when the session starts here.</summary>
    public string? Instructions { get; init; }
}

/// <summary>Redaction of phone numbers in the post-call artifact (<see cref="NumberRedaction"/>).</summary>
internal sealed record PrivacySpec
{
    /// <summary><c>full</c>, <c>last4</c> (default: <c>+*******1111</c>) or <c>none</c> (null).</summary>
    public string CallerNumber { get; set; } = "last4";

    /// <summary>The dialled number: <c>full</c> (default), <c>last4</c> or <c>none</c>.</summary>
    public string CalleeNumber { get; set; } = "full";
}

/// <summary>A summary written by the backend in an out-of-band response when the call ends.</summary>
internal sealed record SummarySpec
{
    public bool Enabled { get; init; }

    /// <summary>What to ask for instead of the default (at most 4000 characters).</summary>
    public string? Instructions { get; init; }
}
