using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// What the gateway tells an OpenAI-shaped backend in the voice modes: the exact <c>session.update</c> per mode (audio
/// output, PCM 24 kHz both ways, the endpoint's turn detection and transcription only when the client has a microphone,
/// browser actions as tools only in <c>browser_actions</c>), and the microphone audio it appends — resampled from 16 kHz,
/// passed through byte for byte at 24 kHz.
/// </summary>
public class VoiceBackendSessionTests
{
    private static AgentSpec Spec()
    {
        using var orderSchema = JsonDocument.Parse("""{"type":"object","properties":{"order":{"type":"string"}}}""");
        using var messageSchema = JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""");
        return new AgentSpec
        {
            Model = "gpt-realtime-mini",
            Voice = "cedar",
            Instructions = "Be brief.",
            TurnDetection = new TurnDetectionSpec { Type = "server_vad", Threshold = 0.7, PrefixPaddingMs = 200, SilenceDurationMs = 650 },
            Transcription = new TranscriptionSpec { Model = "whisper-1", Language = "de" },
            Tools = [new ToolSpec { Name = "lookup_order", Description = "Find an order", Parameters = orderSchema.RootElement.Clone() }],
            BrowserActions = [new BrowserActionSpec { Name = "show_message", Description = "Show a message on the page", Parameters = messageSchema.RootElement.Clone() }],
        };
    }

    private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    [Theory]
    [InlineData(InteractionModes.VoiceConversation)]
    [InlineData(InteractionModes.BrowserActions)]
    public async Task SessionUpdate_MicrophoneModes_AudioBothWaysWithTheEndpointsTurnDetectionAndTranscription(string mode)
    {
        await using var voice = await VoiceSession.StartAsync(mode, Spec());
        var session = voice.SessionUpdate.AsObject();

        Assert.Equal("realtime", (string?)session["type"]);
        Assert.Equal("gpt-realtime-mini", (string?)session["model"]);
        Assert.Equal("""["audio"]""", Json(session["output_modalities"]));
        Assert.Equal("Be brief.", (string?)session["instructions"]);
        Assert.Equal("""{"type":"audio/pcm","rate":24000}""", Json(session["audio"]!["input"]!["format"]));
        Assert.Equal("""{"type":"audio/pcm","rate":24000}""", Json(session["audio"]!["output"]!["format"]));
        Assert.Equal("cedar", (string?)session["audio"]!["output"]!["voice"]);
        Assert.Equal(
            """{"type":"server_vad","threshold":0.7,"prefix_padding_ms":200,"silence_duration_ms":650,"create_response":true,"interrupt_response":true}""",
            Json(session["audio"]!["input"]!["turn_detection"]));
        Assert.Equal("""{"model":"whisper-1","language":"de"}""", Json(session["audio"]!["input"]!["transcription"]));

        var tools = session["tools"]!.AsArray();
        Assert.All(tools, t => Assert.Equal("function", (string?)t!["type"]));
        if (mode == InteractionModes.BrowserActions)
        {
            Assert.Equal(["lookup_order", "show_message"], tools.Select(t => (string)t!["name"]!).ToArray());
            Assert.Equal("Show a message on the page", (string?)tools[1]!["description"]);
            Assert.Equal("""{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""", Json(tools[1]!["parameters"]));
        }
        else
        {
            Assert.Equal(["lookup_order"], tools.Select(t => (string)t!["name"]!).ToArray());
        }
    }

    [Fact]
    public async Task SessionUpdate_AudioPlayback_SpeaksButHasNoTurnDetectionNoTranscriptionAndNoBrowserActions()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.AudioPlayback, Spec());
        var session = voice.SessionUpdate.AsObject();

        Assert.Equal("""["audio"]""", Json(session["output_modalities"]));
        var input = session["audio"]!["input"]!.AsObject();
        Assert.Equal("""{"type":"audio/pcm","rate":24000}""", Json(input["format"]));
        Assert.Equal("""{"type":"audio/pcm","rate":24000}""", Json(session["audio"]!["output"]!["format"]));
        // Present and null: the backend must not start responses on its own or transcribe a microphone there is none of.
        Assert.True(input.ContainsKey("turn_detection"));
        Assert.Null(input["turn_detection"]);
        Assert.True(input.ContainsKey("transcription"));
        Assert.Null(input["transcription"]);
        Assert.Equal(["lookup_order"], session["tools"]!.AsArray().Select(t => (string)t!["name"]!).ToArray());
    }

    [Fact]
    public async Task SessionUpdate_SemanticVad_IsPassedOn()
    {
        var spec = Spec() with { TurnDetection = new TurnDetectionSpec { Type = "semantic_vad" } };
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation, spec);

        Assert.Equal("""{"type":"semantic_vad","create_response":true,"interrupt_response":true}""",
            Json(voice.SessionUpdate["audio"]!["input"]!["turn_detection"]));
    }

    [Fact]
    public async Task MicrophoneAt16kHz_IsResampledTo24kHz_HalfAsManyBytesAgain()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        var sent = VoiceAudio.Tone(16000, 400, 440);

        await VoiceAudio.StreamAsync(voice.Client, sent, 16000, pieceMs: 20);
        await voice.SyncBackendAsync();

        var appended = voice.Backend.AppendedAudio();
        Assert.Equal(sent.Length * 3 / 2, appended.Length);
        // Resampled, not relabelled: still a 440 Hz tone at 24 kHz (16 kHz samples taken as 24 kHz would sound at 660 Hz).
        var samples = VoiceAudio.Samples(appended);
        Assert.InRange(VoiceAudio.ZeroCrossingsPerSecond(samples.AsSpan(2400), 24000), 2 * 440 * 0.95, 2 * 440 * 1.05);
        Assert.InRange(CallTestAudio.RmsDbfs(samples.AsSpan(2400)), -18, -12);
    }

    [Fact]
    public async Task MicrophoneAt24kHz_IsPassedThroughByteIdentical_WithOrWithoutSampleRate()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        var first = new byte[960];
        var second = new byte[1920];
        new Random(7).NextBytes(first);
        new Random(8).NextBytes(second);

        await voice.Client.SendAsync(VoiceAudio.Message(first, 24000));
        await voice.Client.SendAsync(VoiceAudio.Message(second, null));
        await voice.SyncBackendAsync();

        Assert.Equal([.. first, .. second], voice.Backend.AppendedAudio());
        var appends = voice.Backend.Received.Where(e => (string?)e["type"] == "input_audio_buffer.append").ToList();
        Assert.Equal([Convert.ToBase64String(first), Convert.ToBase64String(second)], appends.Select(e => (string)e["audio"]!).ToArray());
    }

    [Fact]
    public async Task MicrophoneAudio_WithJsonEscapedBase64_IsUnescapedBeforeItIsAppended()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        // Bytes whose base64 has '/' and '+', sent the way some serializers write them: \/ and \u002B.
        var audio = Enumerable.Repeat(new byte[] { 0xFF, 0xFF, 0xFB, 0xEF }, 120).SelectMany(b => b).ToArray();
        var base64 = Convert.ToBase64String(audio);
        Assert.Contains('/', base64);
        Assert.Contains('+', base64);
        var escaped = base64.Replace("/", "\\/", StringComparison.Ordinal).Replace("+", "\\u002B", StringComparison.Ordinal);

        await voice.Client.SendAsync("{\"type\":\"audio\",\"payload\":{\"sampleRate\":24000,\"audio\":\"" + escaped + "\"}}");
        await voice.Client.SendAsync("{\"type\":\"audio\",\"payload\":{\"sampleRate\":16000,\"audio\":\"" + escaped + "\"}}");
        await voice.SyncBackendAsync();

        var appends = voice.Backend.Received.Where(e => (string?)e["type"] == "input_audio_buffer.append").ToList();
        Assert.Equal(2, appends.Count);
        Assert.Equal(base64, (string?)appends[0]["audio"]);
        Assert.Equal(audio.Length * 3 / 2, Convert.FromBase64String((string)appends[1]["audio"]!).Length);
        Assert.DoesNotContain(voice.Client.Received, m => VoiceSession.Type(m) == "error");
    }

    [Fact]
    public async Task MicrophoneAt24kHz_WithWhitespaceInTheBase64_IsReEncodedClean()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        var audio = new byte[960];
        new Random(9).NextBytes(audio);
        var base64 = Convert.ToBase64String(audio);
        var spaced = base64[..40] + " " + base64[40..];

        await voice.Client.SendAsync("{\"type\":\"audio\",\"payload\":{\"sampleRate\":24000,\"audio\":\"" + spaced + "\"}}");
        await voice.SyncBackendAsync();

        var append = Assert.Single(voice.Backend.Received, e => (string?)e["type"] == "input_audio_buffer.append");
        Assert.Equal(base64, (string?)append["audio"]);
    }
}
