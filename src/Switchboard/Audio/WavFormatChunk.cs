namespace Switchboard.Audio;

/// <summary>The parts of a WAV <c>fmt </c> chunk that <see cref="WavFile"/> needs to decode the data chunk.</summary>
/// <param name="Tag">Format tag after unwrapping WAVE_FORMAT_EXTENSIBLE (1 PCM, 6 A-law, 7 μ-law).</param>
/// <param name="Channels">Interleaved channel count.</param>
/// <param name="SampleRate">Sample rate in Hz.</param>
/// <param name="BytesPerSample">Bytes per sample of one channel.</param>
internal readonly record struct WavFormatChunk(ushort Tag, int Channels, int SampleRate, int BytesPerSample);
