using System.Buffers;
using System.Buffers.Text;
using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Sessions;

namespace Switchboard.Benchmarks;

/// <summary>
/// The per-message steps of a browser voice session (<c>/ws/session</c>): a 40 ms microphone message in, recognised
/// and turned into <c>input_audio_buffer.append</c> (passthrough at 24 kHz, resampled at 16 kHz).
/// </summary>
[MemoryDiagnoser]
public class SessionAudioBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(16 * 1024);
    private readonly AudioTranscoder _resampler = new(new AudioFormat(AudioEncoding.Pcm16LittleEndian, 16000), AudioFormat.Pcm24k);
    private readonly byte[] _raw = new byte[4096];
    private readonly byte[] _converted = new byte[8192];
    private byte[] _mic16k = [];
    private byte[] _mic24k = [];

    [GlobalSetup]
    public void Setup()
    {
        // 40 ms of a 440 Hz tone as PCM16 little-endian, at each rate.
        _mic16k = Message(Tone(16000, 640), 16000);
        _mic24k = Message(Tone(24000, 960), 24000);
    }

    /// <summary>Recognise a 24 kHz message and pass its base64 through untouched.</summary>
    [Benchmark]
    public int Mic24kToAppend()
    {
        SessionAudioScanner.Scan(_mic24k, out var base64, out _, out _, out _);
        Base64.IsValid(base64, out _);
        _output.ResetWrittenCount();
        RealtimeClientEvents.WriteAppendBase64(_output, base64);
        return _output.WrittenCount;
    }

    /// <summary>Recognise a 16 kHz message, decode it, resample to 24 kHz and encode the append.</summary>
    [Benchmark]
    public int Mic16kToAppend()
    {
        SessionAudioScanner.Scan(_mic16k, out var base64, out _, out _, out _);
        Base64.DecodeFromUtf8(base64, _raw, out _, out var decoded);
        var converted = _resampler.Transcode(_raw.AsSpan(0, decoded), _converted);
        _output.ResetWrittenCount();
        RealtimeClientEvents.WriteAppend(_output, _converted.AsSpan(0, converted));
        return _output.WrittenCount;
    }

    private static byte[] Tone(int rate, int samples)
    {
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate));
            pcm[2 * i] = (byte)value;
            pcm[(2 * i) + 1] = (byte)(value >> 8);
        }

        return pcm;
    }

    private static byte[] Message(byte[] pcm, int rate) =>
        Encoding.UTF8.GetBytes("{\"type\":\"audio\",\"payload\":{\"audio\":\"" + Convert.ToBase64String(pcm) + "\",\"sampleRate\":" + rate + "}}");
}
