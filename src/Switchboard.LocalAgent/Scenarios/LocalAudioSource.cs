using Switchboard.Audio;

namespace Switchboard.LocalAgent.Scenarios;

/// <summary>The audio of a scripted reply; <see cref="Wav"/> is loaded when the scenario is.</summary>
internal sealed record LocalAudioSource(LocalAudioSourceKind Kind, string? WavPath = null, WavAudio? Wav = null)
{
    /// <summary>The caller's own audio.</summary>
    public static readonly LocalAudioSource Echo = new(LocalAudioSourceKind.Echo);

    /// <summary>A tone as long as the text.</summary>
    public static readonly LocalAudioSource Tone = new(LocalAudioSourceKind.Tone);

    /// <summary>The chime.</summary>
    public static readonly LocalAudioSource Chime = new(LocalAudioSourceKind.Chime);

    /// <summary>No audio.</summary>
    public static readonly LocalAudioSource None = new(LocalAudioSourceKind.None);
}
