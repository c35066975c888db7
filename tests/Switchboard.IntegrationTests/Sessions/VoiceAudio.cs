using System.Diagnostics;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>PCM16 little-endian test audio for the voice modes, and a client-side microphone that streams it in real time.</summary>
internal static class VoiceAudio
{
    public static byte[] Bytes(short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        Pcm16.ToLittleEndian(samples, bytes);
        return bytes;
    }

    public static short[] Samples(byte[] bytes)
    {
        var samples = new short[bytes.Length / 2];
        Pcm16.FromLittleEndian(bytes.AsSpan(0, samples.Length * 2), samples);
        return samples;
    }

    /// <summary>The simulator's speech-like signal (four syllables per 1.5 s) at <paramref name="rate"/>.</summary>
    public static byte[] Speech(int rate, int ms) => Bytes(SimulationAudio.TestSpeech(rate, ms));

    public static byte[] Tone(int rate, int ms, double hz) => Bytes(ToneGenerator.Tone(rate, hz, ms));

    public static byte[] Silence(int rate, int ms) => new byte[rate * ms / 1000 * 2];

    /// <summary>An <c>audio</c> client message.</summary>
    public static string Message(ReadOnlySpan<byte> pcm, int? sampleRate) =>
        JsonSerializer.Serialize(sampleRate is { } rate
            ? new { type = "audio", payload = (object)new { audio = Convert.ToBase64String(pcm), sampleRate = rate } }
            : new { type = "audio", payload = (object)new { audio = Convert.ToBase64String(pcm) } });

    /// <summary>
    /// Sends <paramref name="pcm"/> as <c>audio</c> messages of <paramref name="pieceMs"/> each, paced like a microphone:
    /// piece n leaves at n × <paramref name="pieceMs"/> from the start (scheduled against the start, so delays do not add up).
    /// </summary>
    public static async Task StreamAsync(SessionTestClient client, byte[] pcm, int rate, int pieceMs = 20, bool sendRate = true)
    {
        var pieceBytes = rate * pieceMs / 1000 * 2;
        var clock = Stopwatch.StartNew();
        for (var offset = 0; offset < pcm.Length; offset += pieceBytes)
        {
            var due = TimeSpan.FromMilliseconds(offset / pieceBytes * pieceMs);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            await client.SendAsync(Message(pcm.AsSpan(offset, Math.Min(pieceBytes, pcm.Length - offset)), sendRate ? rate : null));
        }
    }

    /// <summary>Decoded bytes of a gateway <c>audio</c> message.</summary>
    public static byte[] AgentBytes(JsonElement message) => Convert.FromBase64String(message.GetProperty("payload").GetProperty("audio").GetString()!);

    /// <summary>Zero crossings per second of a PCM16 signal: twice its frequency for a pure tone.</summary>
    public static double ZeroCrossingsPerSecond(ReadOnlySpan<short> samples, int rate)
    {
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if ((samples[i - 1] < 0) != (samples[i] < 0))
            {
                crossings++;
            }
        }

        return crossings * (double)rate / samples.Length;
    }
}
