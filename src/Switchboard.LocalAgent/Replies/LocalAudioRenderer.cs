using Switchboard.Audio;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.LocalAgent.Replies;

/// <summary>Turns planned audio into bytes in the session's output format (resampled and encoded once per response).</summary>
internal static class LocalAudioRenderer
{
    private const double ToneHz = 440;

    /// <summary>Renders <paramref name="audio"/>; at most <paramref name="maxMs"/> milliseconds. Empty for no audio.</summary>
    public static byte[] Render(LocalPlannedAudio audio, AudioFormat output, int maxMs)
    {
        short[] pcm;
        int rate;
        switch (audio.Kind)
        {
            case LocalAudioSourceKind.Tone:
                rate = output.SampleRate;
                pcm = ToneGenerator.Tone(rate, ToneHz, Math.Min(audio.ToneMs, maxMs));
                break;
            case LocalAudioSourceKind.Chime:
                rate = output.SampleRate;
                pcm = ToneGenerator.Chime(rate);
                break;
            case LocalAudioSourceKind.Echo or LocalAudioSourceKind.Wav when audio.Samples is { Length: > 0 }:
                rate = audio.SampleRate;
                pcm = audio.Samples;
                break;
            default:
                return [];
        }

        var maxSamples = (int)Math.Min(pcm.Length, (long)rate * maxMs / 1000);
        ReadOnlySpan<short> source = pcm.AsSpan(0, maxSamples);
        if (rate != output.SampleRate)
        {
            var resampler = new PolyphaseResampler(rate, output.SampleRate);
            var resampled = new short[resampler.MaxOutputLength(source.Length)];
            var written = resampler.Process(source, resampled);
            source = resampled.AsSpan(0, written);
        }

        var bytes = new byte[source.Length * output.BytesPerSample];
        Encode(source, output.Encoding, bytes);
        return bytes;
    }

    /// <summary>Encodes 16-bit PCM into <paramref name="encoding"/>; <paramref name="destination"/> must fit.</summary>
    public static void Encode(ReadOnlySpan<short> pcm, AudioEncoding encoding, Span<byte> destination)
    {
        switch (encoding)
        {
            case AudioEncoding.MuLaw:
                G711.PcmToMuLaw(pcm, destination);
                break;
            case AudioEncoding.ALaw:
                G711.PcmToALaw(pcm, destination);
                break;
            case AudioEncoding.Pcm16BigEndian:
                Pcm16.ToBigEndian(pcm, destination);
                break;
            default:
                Pcm16.ToLittleEndian(pcm, destination);
                break;
        }
    }

    /// <summary>Decodes <paramref name="encoded"/> into 16-bit PCM; returns the number of samples written.</summary>
    public static int Decode(ReadOnlySpan<byte> encoded, AudioEncoding encoding, Span<short> destination)
    {
        switch (encoding)
        {
            case AudioEncoding.MuLaw:
                G711.MuLawToPcm(encoded, destination);
                return encoded.Length;
            case AudioEncoding.ALaw:
                G711.ALawToPcm(encoded, destination);
                return encoded.Length;
            case AudioEncoding.Pcm16BigEndian:
                Pcm16.FromBigEndian(encoded, destination);
                return encoded.Length / 2;
            default:
                Pcm16.FromLittleEndian(encoded, destination);
                return encoded.Length / 2;
        }
    }
}
