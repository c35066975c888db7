namespace Switchboard.Configuration;

/// <summary>OpenAI Realtime settings (section <c>Switchboard:OpenAI</c>; env <c>OPENAI_API_KEY</c>, <c>OPENAI_REALTIME_URL</c>, <c>OPENAI_REALTIME_MODEL</c>).</summary>
public sealed record OpenAIOptions
{
    /// <summary>API key, sent as <c>Authorization: Bearer</c>. Never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Realtime WebSocket URL without the model query.</summary>
    public string RealtimeUrl { get; init; } = "wss://api.openai.com/v1/realtime";

    /// <summary>Model name, added as <c>?model=</c>.</summary>
    public string Model { get; init; } = "gpt-realtime";
}
