using Switchboard.Audio;
using Switchboard.LocalAgent;
using Switchboard.LocalAgent.Replies;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.Tests.LocalAgent;

public sealed class LocalAudioRendererTests
{
    [Fact]
    public void Render_CallerAudio8k_To24kPcm_KeepsDuration()
    {
        var caller = ToneGenerator.Tone(8000, 440, 500);
        var bytes = LocalAudioRenderer.Render(LocalPlannedAudio.Pcm(caller, 8000), AudioFormat.Pcm24k, 30_000);
        Assert.InRange(AudioFormat.Pcm24k.DurationMs(bytes.Length), 490, 510);
    }

    [Fact]
    public void Render_Wav16k_ToMuLaw_KeepsDuration()
    {
        var wav = ToneGenerator.Tone(16000, 440, 300);
        var bytes = LocalAudioRenderer.Render(new LocalPlannedAudio(LocalAudioSourceKind.Wav, wav, 16000), AudioFormat.MuLaw8k, 30_000);
        Assert.InRange(bytes.Length, 8 * 295, 8 * 305);
    }

    [Fact]
    public void Render_ToneChimeAndNone_HaveTheirLengths()
    {
        Assert.Equal(8 * 1200, LocalAudioRenderer.Render(LocalPlannedAudio.Tone(1200), AudioFormat.MuLaw8k, 30_000).Length);
        Assert.Equal(48 * 400, LocalAudioRenderer.Render(LocalPlannedAudio.Chime, AudioFormat.Pcm24k, 30_000).Length);
        Assert.Empty(LocalAudioRenderer.Render(LocalPlannedAudio.None, AudioFormat.Pcm24k, 30_000));
        Assert.Empty(LocalAudioRenderer.Render(LocalPlannedAudio.Pcm([], 8000), AudioFormat.Pcm24k, 30_000));
    }

    [Fact]
    public void Render_LongCallerTurn_IsCappedAtMaxMs()
    {
        var caller = new short[8000 * 5];
        var bytes = LocalAudioRenderer.Render(LocalPlannedAudio.Pcm(caller, 8000), AudioFormat.ALaw8k, 2000);
        Assert.Equal(8 * 2000, bytes.Length);
    }

    [Fact]
    public void EncodeDecode_RoundTripsEveryEncoding()
    {
        var pcm = ToneGenerator.Tone(8000, 440, 20);
        foreach (var encoding in new[] { AudioEncoding.MuLaw, AudioEncoding.ALaw, AudioEncoding.Pcm16LittleEndian, AudioEncoding.Pcm16BigEndian })
        {
            var bytesPerSample = encoding is AudioEncoding.MuLaw or AudioEncoding.ALaw ? 1 : 2;
            var encoded = new byte[pcm.Length * bytesPerSample];
            LocalAudioRenderer.Encode(pcm, encoding, encoded);
            var decoded = new short[pcm.Length];
            Assert.Equal(pcm.Length, LocalAudioRenderer.Decode(encoded, encoding, decoded));
            for (var i = 0; i < pcm.Length; i++)
            {
                Assert.InRange(decoded[i] - pcm[i], -600, 600);
            }
        }
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("(echo)", new[] { "(echo)" })]
    [InlineData("Your order ships.", new[] { "Your ", "order ", "ships." })]
    public void SplitTranscript_KeepsSpacesWithWords(string transcript, string[] pieces)
    {
        var split = LocalRealtimeSession.SplitTranscript(transcript);
        Assert.Equal(pieces, split);
        Assert.Equal(transcript, string.Concat(split));
    }
}
