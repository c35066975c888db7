using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.LocalAgent.Replies;

/// <summary>The audio a response will play, before it is rendered in the session's output format.</summary>
internal sealed record LocalPlannedAudio(LocalAudioSourceKind Kind, short[]? Samples = null, int SampleRate = 0, int ToneMs = 0)
{
    public static readonly LocalPlannedAudio None = new(LocalAudioSourceKind.None);

    public static readonly LocalPlannedAudio Chime = new(LocalAudioSourceKind.Chime);

    public static LocalPlannedAudio Pcm(short[] samples, int sampleRate) => new(LocalAudioSourceKind.Echo, samples, sampleRate);

    public static LocalPlannedAudio Tone(int ms) => new(LocalAudioSourceKind.Tone, ToneMs: ms);
}
