using System.Buffers.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Audio;

namespace Switchboard.Benchmarks;

/// <summary>Codec, resampler and base64 cost of one 20 ms frame.</summary>
[MemoryDiagnoser]
public class AudioBenchmarks
{
    private readonly short[] _pcm8k = new short[160];
    private readonly short[] _pcm24k = new short[480];
    private readonly byte[] _mulaw = new byte[160];
    private readonly short[] _resampled = new short[1024];
    private readonly byte[] _base64 = new byte[256];
    private readonly byte[] _transcoded = new byte[4096];
    private PolyphaseResampler _up = null!;
    private PolyphaseResampler _down = null!;
    private AudioTranscoder _muLawToPcm24 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var tone = ToneGenerator.Tone(8000, 440, 20);
        tone.CopyTo(_pcm8k, 0);
        ToneGenerator.Tone(24000, 440, 20).CopyTo(_pcm24k, 0);
        G711.PcmToMuLaw(_pcm8k, _mulaw);
        _up = new PolyphaseResampler(8000, 24000);
        _down = new PolyphaseResampler(24000, 8000);
        _muLawToPcm24 = new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.Pcm24k);
    }

    [Benchmark]
    public void MuLawEncode20ms() => G711.PcmToMuLaw(_pcm8k, _mulaw);

    [Benchmark]
    public void MuLawDecode20ms() => G711.MuLawToPcm(_mulaw, _pcm8k);

    [Benchmark]
    public void ALawEncode20ms() => G711.PcmToALaw(_pcm8k, _mulaw);

    [Benchmark]
    public void ALawDecode20ms() => G711.ALawToPcm(_mulaw, _pcm8k);

    [Benchmark]
    public int Resample8To24k20ms() => _up.Process(_pcm8k, _resampled);

    [Benchmark]
    public int Resample24To8k20ms() => _down.Process(_pcm24k, _resampled);

    [Benchmark]
    public int Base64Encode20msMuLaw()
    {
        Base64.EncodeToUtf8(_mulaw, _base64, out _, out var written);
        return written;
    }

    [Benchmark]
    public int TranscodeMuLawToPcm24k20ms() => _muLawToPcm24.Transcode(_mulaw, _transcoded);
}
