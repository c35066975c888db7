using System.Text.Json;
using Switchboard.Configuration;

namespace Switchboard.LocalAgent.Protocol;

/// <summary>
/// The session's <c>audio.input.turn_detection</c>. <c>semantic_vad</c> is accepted and echoed, but the
/// local agent detects turns with the same energy VAD for both types; <see cref="Threshold"/> is echoed
/// only (the energy threshold comes from <see cref="LocalBackendOptions.VadThresholdDbfs"/>).
/// </summary>
internal sealed record LocalTurnDetection(
    string Type,
    double Threshold = 0.5,
    int PrefixPaddingMs = 300,
    int SilenceDurationMs = 500,
    bool CreateResponse = true,
    bool InterruptResponse = true,
    int? IdleTimeoutMs = null,
    string Eagerness = "auto")
{
    public const string ServerVad = "server_vad";
    public const string SemanticVad = "semantic_vad";

    public static readonly LocalTurnDetection Default = new(ServerVad);

    public bool IsSemantic => Type == SemanticVad;

    /// <summary>Silence that ends a semantic_vad turn; the local agent maps eagerness to a fixed pause.</summary>
    public int EffectiveSilenceMs => IsSemantic
        ? Eagerness switch { "high" => 300, "low" => 1000, _ => 500 }
        : SilenceDurationMs;

    public int EffectivePrefixPaddingMs => IsSemantic ? 300 : PrefixPaddingMs;

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type);
        if (IsSemantic)
        {
            writer.WriteString("eagerness", Eagerness);
        }
        else
        {
            writer.WriteNumber("threshold", Threshold);
            writer.WriteNumber("prefix_padding_ms", PrefixPaddingMs);
            writer.WriteNumber("silence_duration_ms", SilenceDurationMs);
            if (IdleTimeoutMs is { } idle)
            {
                writer.WriteNumber("idle_timeout_ms", idle);
            }
            else
            {
                writer.WriteNull("idle_timeout_ms");
            }
        }

        writer.WriteBoolean("create_response", CreateResponse);
        writer.WriteBoolean("interrupt_response", InterruptResponse);
        writer.WriteEndObject();
    }
}
