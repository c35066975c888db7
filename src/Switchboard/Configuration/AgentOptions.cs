namespace Switchboard.Configuration;

/// <summary>The default agent (section <c>Switchboard:Agent</c>).</summary>
public sealed record AgentOptions
{
    /// <summary>System instructions for the model.</summary>
    public string Instructions { get; init; } = "You are a helpful, concise phone agent. Keep answers short.";

    /// <summary>Voice (OpenAI recommends <c>marin</c> or <c>cedar</c>). Cannot change after the first audio.</summary>
    public string Voice { get; init; } = "marin";

    /// <summary>When set, the agent speaks first: a response is requested at call start with this text as the greeting to say.</summary>
    public string? Greeting { get; init; }

    /// <summary>
    /// Audio format on the backend leg: <c>auto</c> (same G.711 law as the carrier, so audio passes through
    /// undecoded; PCM 24 kHz for L16 carriers), <c>pcmu</c>, <c>pcma</c> or <c>pcm24</c>.
    /// </summary>
    public string AudioFormat { get; init; } = "auto";

    /// <summary>Turn detection: <c>server_vad</c>, <c>semantic_vad</c> or <c>none</c>.</summary>
    public string TurnDetection { get; init; } = "server_vad";

    /// <summary>server_vad activation threshold (0–1).</summary>
    public double VadThreshold { get; init; } = 0.5;

    /// <summary>server_vad audio kept before detected speech, in ms.</summary>
    public int PrefixPaddingMs { get; init; } = 300;

    /// <summary>server_vad silence that ends a turn, in ms.</summary>
    public int SilenceDurationMs { get; init; } = 500;

    /// <summary>Input transcription model (empty disables caller transcripts).</summary>
    public string? TranscriptionModel { get; init; } = "gpt-4o-mini-transcribe";

    /// <summary>Optional ISO-639-1 language hint for transcription.</summary>
    public string? TranscriptionLanguage { get; init; }
}
