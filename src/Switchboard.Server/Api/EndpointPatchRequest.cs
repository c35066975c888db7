using Switchboard.Agents;

namespace Switchboard.Server.Api;

/// <summary>
/// Body of <c>PATCH /api/v1/endpoints/{id}</c>: the fields present replace the stored ones (nested objects are replaced whole).
/// </summary>
/// <remarks>
/// Documents the body for the OpenAPI schema only: the body is parsed by <see cref="Agents.EndpointBody"/> so that
/// unknown fields and wrong types get a precise 400. A test checks that these fields are the endpoint object's.
/// </remarks>
internal sealed record EndpointPatchRequest
{
    /// <summary>Unique within the team (1-100 characters).</summary>
    public string? Name { get; init; }

    /// <summary>Make this the team's default endpoint (the previous default stops being one).</summary>
    public bool? IsDefault { get; init; }

    /// <summary><c>default</c> (the gateway's configured backend), <c>openai</c>, <c>azure</c> or <c>local</c>.</summary>
    public string? Backend { get; init; }

    /// <summary>Model (OpenAI) or deployment (Azure); null uses the gateway's configured one.</summary>
    public string? Model { get; init; }

    /// <summary>The backend a call moves to when this one fails to connect or is lost mid-call beyond the reconnect budget: <c>backend</c> and optional <c>model</c> (docs/reliability.md); null: none.</summary>
    public BackendFallbackSpec? Fallback { get; init; }

    /// <summary>Voice, e.g. <c>marin</c> or <c>cedar</c> (default <c>marin</c>).</summary>
    public string? Voice { get; init; }

    /// <summary>System instructions (at most 32000 characters).</summary>
    public string? Instructions { get; init; }

    /// <summary>When set the agent speaks first with this greeting (at most 2000 characters).</summary>
    public string? Greeting { get; init; }

    /// <summary><c>auto</c> (default), <c>pcmu</c>, <c>pcma</c> or <c>pcm24</c>.</summary>
    public string? AudioFormat { get; init; }

    public TurnDetectionSpec? TurnDetection { get; init; }

    public TranscriptionSpec? Transcription { get; init; }

    public LimitsSpec? Limits { get; init; }

    /// <summary>What the post-call artifact shows of the numbers: <c>callerNumber</c> (default <c>last4</c>) and <c>calleeNumber</c> (default <c>full</c>), each <c>full</c>, <c>last4</c> or <c>none</c>.</summary>
    public PrivacySpec? Privacy { get; init; }

    /// <summary>An end-of-call summary written by the backend for the artifact: <c>enabled</c> (default false) and optional <c>instructions</c>.</summary>
    public SummarySpec? Summary { get; init; }

    public IReadOnlyList<ToolSpec>? Tools { get; init; }

    /// <summary>Allowed transports: <c>websocket</c>, <c>twilio</c>, <c>telnyx</c>, <c>sip</c> (default: all).</summary>
    public IReadOnlyList<string>? Carriers { get; init; }

    /// <summary>Allowed interaction modes (default: all).</summary>
    public IReadOnlyList<string>? Modes { get; init; }

    /// <summary>E.164 numbers whose inbound calls land on this endpoint (unique across the gateway).</summary>
    public IReadOnlyList<string>? PhoneNumbers { get; init; }

    public IReadOnlyList<BrowserActionSpec>? BrowserActions { get; init; }

    public IReadOnlyList<FlowSpec>? Flows { get; init; }

    /// <summary>Where the built-in <c>transfer_call</c>/<c>handoff_human</c> tools may transfer a phone call: named targets (E.164 or SIP) and an optional caller id.</summary>
    public TransferSpec? Transfer { get; init; }

    /// <summary>Where this endpoint's hot hand-offs are POSTed (<c>url</c>, and <c>secret</c> naming the bearer token in <c>Switchboard:Tools:Secrets</c>); wins over <c>Switchboard:Handoff</c>.</summary>
    public HandoffSpec? Handoff { get; init; }

    /// <summary>Binds the endpoint to an external chatbot channel (<c>channelId</c>, unique per gateway): its sessions open a conversation the chatbot calls back into (docs/migrating.md).</summary>
    public ChatbotSpec? Chatbot { get; init; }

    /// <summary>The id your own system knows this endpoint by (an org id: <c>?orgId=</c> on <c>/twiml/start</c> and <c>/ws/twilio</c>); unique per team.</summary>
    public string? ExternalId { get; init; }
}
