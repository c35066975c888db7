namespace Switchboard.Configuration;

/// <summary>
/// Settings of the built-in local realtime backend (configuration section <c>Switchboard:Local</c>).
/// The local backend is a test agent: it speaks the OpenAI Realtime GA protocol over a real WebSocket,
/// but it neither recognises nor generates speech.
/// </summary>
public sealed record LocalBackendOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Switchboard:Local";

    /// <summary>How the agent answers: <see cref="LocalAgentMode.Echo"/> (default) or <see cref="LocalAgentMode.Scripted"/>.</summary>
    public LocalAgentMode Mode { get; init; } = LocalAgentMode.Echo;

    /// <summary>Path of the scenario JSON file; required when <see cref="Mode"/> is <see cref="LocalAgentMode.Scripted"/>.</summary>
    public string? ScenarioPath { get; init; }

    /// <summary>Energy threshold of the voice activity detector in dBFS (default -40); louder frames count as speech.</summary>
    public double VadThresholdDbfs { get; init; } = -40;

    /// <summary>Milliseconds of sound above the threshold before speech counts as started (default 60).</summary>
    public int MinSpeechMs { get; init; } = 60;

    /// <summary>Length in milliseconds of the audio carried by each <c>response.output_audio.delta</c> (default 20).</summary>
    public int ChunkMs { get; init; } = 20;

    /// <summary>
    /// Pace of audio deltas relative to real time: 1.0 (default) sends one second of audio per second,
    /// 2.0 twice as fast, 0 as fast as possible.
    /// </summary>
    public double PaceFactor { get; init; } = 1.0;

    /// <summary>Longest caller turn, in seconds, that is kept and echoed back (default 30).</summary>
    public int MaxTurnSeconds { get; init; } = 30;

    /// <summary>Returns every configuration error, each naming its key; empty when the options are usable.</summary>
    public IEnumerable<string> Validate()
    {
        const string prefix = SectionName + ":";
        if (!Enum.IsDefined(Mode))
        {
            yield return $"{prefix}{nameof(Mode)} must be Echo or Scripted";
        }

        if (Mode == LocalAgentMode.Scripted)
        {
            if (string.IsNullOrWhiteSpace(ScenarioPath))
            {
                yield return $"{prefix}{nameof(ScenarioPath)} is required when {prefix}{nameof(Mode)} is Scripted";
            }
            else if (!File.Exists(ScenarioPath))
            {
                yield return $"{prefix}{nameof(ScenarioPath)} '{ScenarioPath}' does not exist";
            }
        }

        if (double.IsNaN(VadThresholdDbfs) || VadThresholdDbfs < -96 || VadThresholdDbfs > 0)
        {
            yield return $"{prefix}{nameof(VadThresholdDbfs)} must be between -96 and 0";
        }

        if (MinSpeechMs is < 10 or > 2000)
        {
            yield return $"{prefix}{nameof(MinSpeechMs)} must be between 10 and 2000";
        }

        if (ChunkMs is < 10 or > 1000)
        {
            yield return $"{prefix}{nameof(ChunkMs)} must be between 10 and 1000";
        }

        if (double.IsNaN(PaceFactor) || PaceFactor < 0 || PaceFactor > 1000)
        {
            yield return $"{prefix}{nameof(PaceFactor)} must be 0 (as fast as possible) or a factor up to 1000";
        }

        if (MaxTurnSeconds is < 1 or > 600)
        {
            yield return $"{prefix}{nameof(MaxTurnSeconds)} must be between 1 and 600";
        }
    }
}
