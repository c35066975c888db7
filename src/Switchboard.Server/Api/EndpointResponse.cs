using Switchboard.Agents;

namespace Switchboard.Server.Api;

/// <summary>An agent endpoint: id, name, default flag and timestamps next to every <see cref="AgentSpec"/> field.</summary>
internal sealed record EndpointResponse
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The team's endpoint for carrier calls that name none; exactly one per team.</summary>
    public required bool IsDefault { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary><c>default</c> (the gateway's configured backend), <c>openai</c>, <c>azure</c> or <c>local</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>Model (OpenAI) or deployment (Azure); null uses the gateway's configured one.</summary>
    public string? Model { get; init; }

    /// <summary>The backend a call moves to when this one fails to connect or is lost mid-call beyond the reconnect budget; null: none.</summary>
    public BackendFallbackSpec? Fallback { get; init; }

    public required string Voice { get; init; }

    public required string Instructions { get; init; }

    /// <summary>When set the agent speaks first with this greeting.</summary>
    public string? Greeting { get; init; }

    /// <summary><c>auto</c>, <c>pcmu</c>, <c>pcma</c> or <c>pcm24</c>.</summary>
    public required string AudioFormat { get; init; }

    public required TurnDetectionSpec TurnDetection { get; init; }

    public required TranscriptionSpec Transcription { get; init; }

    public required LimitsSpec Limits { get; init; }

    /// <summary>What the post-call artifact shows of the caller's and callee's numbers.</summary>
    public required PrivacySpec Privacy { get; init; }

    /// <summary>Whether the backend writes an end-of-call summary for the artifact.</summary>
    public required SummarySpec Summary { get; init; }

    public required IReadOnlyList<ToolSpec> Tools { get; init; }

    /// <summary>Allowed transports: <c>websocket</c>, <c>twilio</c>, <c>telnyx</c>, <c>sip</c>.</summary>
    public required IReadOnlyList<string> Carriers { get; init; }

    /// <summary>Allowed interaction modes: <c>text</c>, <c>audio_playback</c>, <c>voice_conversation</c>, <c>browser_actions</c>, <c>listen</c>.</summary>
    public required IReadOnlyList<string> Modes { get; init; }

    /// <summary>E.164 numbers whose inbound calls land on this endpoint.</summary>
    public required IReadOnlyList<string> PhoneNumbers { get; init; }

    public required IReadOnlyList<BrowserActionSpec> BrowserActions { get; init; }

    public required IReadOnlyList<FlowSpec> Flows { get; init; }

    /// <summary>Where the built-in <c>transfer_call</c>/<c>handoff_human</c> tools may transfer a phone call.</summary>
    public required TransferSpec Transfer { get; init; }

    /// <summary>Where this endpoint's hot hand-offs are POSTed; null: the gateway's <c>Switchboard:Handoff</c>, if any.</summary>
    public HandoffSpec? Handoff { get; init; }

    /// <summary>The external chatbot channel this endpoint is bound to, if any.</summary>
    public ChatbotSpec? Chatbot { get; init; }

    /// <summary>The id the team's own system knows this endpoint by (an org id), unique per team; null when unset.</summary>
    public string? ExternalId { get; init; }

    public static EndpointResponse From(AgentEndpoint endpoint)
    {
        var spec = endpoint.Spec;
        return new EndpointResponse
        {
            Id = endpoint.Id,
            Name = endpoint.Name,
            IsDefault = endpoint.IsDefault,
            CreatedAt = endpoint.CreatedAt,
            UpdatedAt = endpoint.UpdatedAt,
            Backend = spec.Backend,
            Model = spec.Model,
            Fallback = spec.Fallback,
            Voice = spec.Voice,
            Instructions = spec.Instructions,
            Greeting = spec.Greeting,
            AudioFormat = spec.AudioFormat,
            // Stored rows written by older versions may lack a section; show the defaults they run with.
            TurnDetection = spec.TurnDetection ?? new TurnDetectionSpec(),
            Transcription = spec.Transcription ?? new TranscriptionSpec(),
            Limits = spec.Limits ?? new LimitsSpec(),
            Privacy = spec.Privacy ?? new PrivacySpec(),
            Summary = spec.Summary ?? new SummarySpec(),
            Tools = spec.Tools ?? [],
            Carriers = spec.Carriers ?? Transports.All,
            Modes = spec.Modes ?? InteractionModes.All,
            PhoneNumbers = spec.PhoneNumbers ?? [],
            BrowserActions = spec.BrowserActions ?? [],
            Flows = spec.Flows ?? [],
            Transfer = spec.Transfer ?? new TransferSpec(),
            Handoff = spec.Handoff,
            Chatbot = spec.Chatbot,
            ExternalId = spec.ExternalId,
        };
    }
}
