using Switchboard.Configuration;

namespace Switchboard.Agents;

/// <summary>The spec of the default endpoint, built from the gateway's <c>Switchboard:Agent</c> configuration.</summary>
internal static class AgentSpecDefaults
{
    public static AgentSpec FromOptions(AgentOptions agent) => new()
    {
        Backend = "default",
        Voice = agent.Voice,
        Instructions = agent.Instructions,
        Greeting = string.IsNullOrWhiteSpace(agent.Greeting) ? null : agent.Greeting,
        AudioFormat = agent.AudioFormat,
        TurnDetection = new TurnDetectionSpec
        {
            Type = agent.TurnDetection,
            Threshold = agent.VadThreshold,
            PrefixPaddingMs = agent.PrefixPaddingMs,
            SilenceDurationMs = agent.SilenceDurationMs,
        },
        Transcription = new TranscriptionSpec { Model = agent.TranscriptionModel, Language = agent.TranscriptionLanguage },
    };
}
