namespace Switchboard.Audio;

/// <summary>Mono 16-bit audio loaded from or destined for a WAV file.</summary>
/// <param name="Samples">The samples, one channel.</param>
/// <param name="SampleRate">Sample rate in Hz.</param>
internal sealed record WavAudio(short[] Samples, int SampleRate);
