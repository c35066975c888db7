namespace Switchboard.Audio;

/// <summary>A mono audio format: encoding plus sample rate in Hz.</summary>
internal readonly record struct AudioFormat(AudioEncoding Encoding, int SampleRate)
{
    /// <summary>μ-law at 8 kHz (Twilio, Telnyx PCMU, OpenAI <c>audio/pcmu</c>).</summary>
    public static AudioFormat MuLaw8k { get; } = new(AudioEncoding.MuLaw, 8000);

    /// <summary>A-law at 8 kHz (PCMA).</summary>
    public static AudioFormat ALaw8k { get; } = new(AudioEncoding.ALaw, 8000);

    /// <summary>16-bit little-endian PCM at 24 kHz (OpenAI <c>audio/pcm</c>).</summary>
    public static AudioFormat Pcm24k { get; } = new(AudioEncoding.Pcm16LittleEndian, 24000);

    /// <summary>1 for G.711, 2 for 16-bit PCM.</summary>
    public int BytesPerSample => Encoding is AudioEncoding.MuLaw or AudioEncoding.ALaw ? 1 : 2;

    /// <summary>Bytes per millisecond, <c>SampleRate / 1000 * BytesPerSample</c> (8 for μ-law 8 kHz).</summary>
    public int BytesPerMs => SampleRate / 1000 * BytesPerSample;

    /// <summary>Playback duration of <paramref name="byteCount"/> bytes in milliseconds.</summary>
    public double DurationMs(long byteCount) => byteCount * 1000.0 / ((long)SampleRate * BytesPerSample);

    /// <summary>Bytes that hold <paramref name="ms"/> milliseconds, rounded down to whole samples.</summary>
    public long BytesForMs(double ms)
    {
        if (ms <= 0)
        {
            return 0;
        }

        // The epsilon keeps exact products such as 20 ms * 8 kHz from flooring to 159 after rounding error.
        var samples = (long)Math.Floor((ms * SampleRate / 1000.0) + 1e-9);
        return samples * BytesPerSample;
    }

    /// <summary>Short name such as <c>pcmu/8000</c>, <c>pcma/8000</c>, <c>pcm16le/24000</c> or <c>pcm16be/16000</c>.</summary>
    public override string ToString()
    {
        var name = Encoding switch
        {
            AudioEncoding.MuLaw => "pcmu",
            AudioEncoding.ALaw => "pcma",
            AudioEncoding.Pcm16LittleEndian => "pcm16le",
            AudioEncoding.Pcm16BigEndian => "pcm16be",
            _ => Encoding.ToString(),
        };
        return $"{name}/{SampleRate}";
    }
}
