using Switchboard.Audio;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>What the gateway asks of a realtime session; written as a GA <c>session.update</c>.</summary>
internal sealed record RealtimeSessionSettings
{
    public required string Model { get; init; }

    public string Instructions { get; init; } = "";

    public string Voice { get; init; } = "marin";

    public AudioFormat InputFormat { get; init; } = AudioFormat.MuLaw8k;

    public AudioFormat OutputFormat { get; init; } = AudioFormat.MuLaw8k;

    /// <summary>
    /// The media format is negotiated elsewhere (a SIP call's SDP, held by the backend): <c>audio.input.format</c> and
    /// <c>audio.output.format</c> are left out and <see cref="InputFormat"/>/<see cref="OutputFormat"/> are not sent.
    /// </summary>
    public bool NegotiatedFormats { get; init; }

    /// <summary><c>server_vad</c>, <c>semantic_vad</c> or <c>none</c> (sent as JSON null).</summary>
    public string TurnDetection { get; init; } = "server_vad";

    public double VadThreshold { get; init; } = 0.5;

    public int PrefixPaddingMs { get; init; } = 300;

    public int SilenceDurationMs { get; init; } = 500;

    public string? TranscriptionModel { get; init; }

    public string? TranscriptionLanguage { get; init; }

    /// <summary><c>audio</c> or <c>text</c>; the GA API allows exactly one.</summary>
    public string OutputModality { get; init; } = "audio";

    public IReadOnlyList<RealtimeToolDefinition> Tools { get; init; } = [];
}
