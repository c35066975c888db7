namespace Switchboard.Telemetry;

/// <summary>
/// The names the gateway's traces and metrics use (docs/observability.md): its <see cref="System.Diagnostics.ActivitySource"/>
/// and <see cref="System.Diagnostics.Metrics.Meter"/>, and the attribute keys. GenAI names follow the OpenTelemetry GenAI
/// conventions (PROTOCOLS.md §7); everything else is <c>switchboard.*</c>.
/// </summary>
internal static class TelemetryNames
{
    /// <summary>The name of the gateway's activity source and of its meter.</summary>
    public const string Source = "Switchboard";

    // Attribute keys (spans and metrics). Metric labels stay bounded: never a call id, a number or free text.
    public const string Channel = "switchboard.channel";
    public const string EndReason = "switchboard.call.end_reason";
    public const string RefusalReason = "switchboard.refusal.reason";
    public const string Direction = "switchboard.direction";
    public const string Outcome = "switchboard.outcome";
    public const string ToolKind = "switchboard.tool.kind";
    public const string RateLimit = "switchboard.rate_limit";
    public const string CallId = "switchboard.call.id";
    public const string TeamId = "switchboard.team.id";
    public const string EndpointId = "switchboard.endpoint.id";
    public const string EndpointName = "switchboard.endpoint.name";
    public const string CarrierCallId = "switchboard.carrier.call_id";
    public const string StreamId = "switchboard.carrier.stream_id";
    public const string SessionId = "switchboard.session.id";
    public const string Caller = "switchboard.caller";
    public const string DurationMs = "switchboard.call.duration_ms";
    public const string WebhookEvent = "switchboard.webhook.event";
    public const string WebhookAttempt = "switchboard.webhook.attempt";
    public const string WebhookId = "switchboard.webhook.id";

    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string AgentName = "gen_ai.agent.name";
    public const string InvocationEndReason = "gen_ai.agent.invocation.end_reason";
    public const string ResponseId = "gen_ai.response.id";
    public const string FinishReasons = "gen_ai.response.finish_reasons";
    public const string ToolName = "gen_ai.tool.name";
    public const string ToolCallId = "gen_ai.tool.call.id";
    public const string TokenType = "gen_ai.token.type";
    public const string TokenModality = "gen_ai.token.modality";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";

    /// <summary>The realtime operation (one Response) in GenAI metrics.</summary>
    public const string RealtimeInference = "realtime_inference";
}
