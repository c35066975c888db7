namespace Switchboard.Agents;

/// <summary>
/// The backend a call moves to when the endpoint's own one fails to connect at the call's start, or drops mid-call and
/// is not regained within the reconnect budget (docs/reliability.md, provider failover). Validated like the primary.
/// </summary>
internal sealed record BackendFallbackSpec
{
    /// <summary><c>default</c> (the gateway's configured backend), <c>openai</c>, <c>azure</c> or <c>local</c>.</summary>
    public string Backend { get; set; } = "default";

    /// <summary>Model (OpenAI) or deployment (Azure); empty uses the gateway's configured one.</summary>
    public string? Model { get; init; }
}
