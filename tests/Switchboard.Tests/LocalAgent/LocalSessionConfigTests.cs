using System.Text;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.LocalAgent.Protocol;

namespace Switchboard.Tests.LocalAgent;

public sealed class LocalSessionConfigTests
{
    private static readonly LocalSessionConfig Initial = new("sess_test", "gpt-realtime", 1_900_000_000);

    [Fact]
    public void Apply_TelephonyUpdate_SetsFormatsVadTranscriptionAndTools()
    {
        var next = Apply("""
            {"type":"realtime","instructions":"Be brief.","output_modalities":["audio"],
             "audio":{"input":{"format":{"type":"audio/pcmu"},"transcription":{"model":"whisper-1"},
                               "turn_detection":{"type":"server_vad","silence_duration_ms":400,"prefix_padding_ms":200,"interrupt_response":false}},
                      "output":{"format":{"type":"audio/pcma"},"voice":"marin","speed":1.2}},
             "tools":[{"type":"function","name":"f"}],"tool_choice":"required"}
            """, out _)!;

        Assert.Equal("Be brief.", next.Instructions);
        Assert.Equal(AudioFormat.MuLaw8k, next.InputFormat);
        Assert.Equal(AudioFormat.ALaw8k, next.OutputFormat);
        Assert.True(next.TranscriptionEnabled);
        Assert.Equal(400, next.TurnDetection!.SilenceDurationMs);
        Assert.Equal(200, next.TurnDetection.PrefixPaddingMs);
        Assert.False(next.TurnDetection.InterruptResponse);
        Assert.True(next.TurnDetection.CreateResponse);
        Assert.Equal(1.2, next.Speed);

        // The original is untouched: updates apply to a copy.
        Assert.Equal(AudioFormat.Pcm24k, Initial.InputFormat);

        var session = Write(next);
        Assert.Equal("required", session.GetProperty("tool_choice").GetString());
        Assert.Equal("f", session.GetProperty("tools")[0].GetProperty("name").GetString());
        Assert.Equal("whisper-1", session.GetProperty("audio").GetProperty("input").GetProperty("transcription").GetProperty("model").GetString());
        Assert.Equal("audio/pcma", session.GetProperty("audio").GetProperty("output").GetProperty("format").GetProperty("type").GetString());
        Assert.False(session.GetProperty("audio").GetProperty("output").GetProperty("format").TryGetProperty("rate", out _));
    }

    [Fact]
    public void Apply_NullTurnDetectionAndTranscription_TurnsThemOff()
    {
        var withVad = Apply("""{"type":"realtime","audio":{"input":{"transcription":{}}}}""", out _)!;
        var next = withVad.Apply(Parse("""{"type":"realtime","audio":{"input":{"turn_detection":null,"transcription":null}}}"""), false, out _)!;
        Assert.Null(next.TurnDetection);
        Assert.False(next.TranscriptionEnabled);
        Assert.Equal(JsonValueKind.Null, Write(next).GetProperty("audio").GetProperty("input").GetProperty("turn_detection").ValueKind);
    }

    [Theory]
    [InlineData("""{"instructions":"x"}""", "missing_required_parameter", "session.type")]
    [InlineData("""{"type":"transcription"}""", "invalid_value", "session.type")]
    [InlineData("""{"type":"realtime","modalities":["audio"]}""", "unknown_parameter", "session.modalities")]
    [InlineData("""{"type":"realtime","input_audio_format":"g711_ulaw"}""", "unknown_parameter", "session.input_audio_format")]
    [InlineData("""{"type":"realtime","output_modalities":["audio","text"]}""", "invalid_value", "session.output_modalities")]
    [InlineData("""{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":16000}}}}""", "invalid_value", "session.audio.input.format.rate")]
    [InlineData("""{"type":"realtime","audio":{"output":{"format":{"type":"g711_ulaw"}}}}""", "invalid_value", "session.audio.output.format.type")]
    [InlineData("""{"type":"realtime","audio":{"input":{"turn_detection":{"type":"fancy_vad"}}}}""", "invalid_value", "session.audio.input.turn_detection.type")]
    [InlineData("""{"type":"realtime","audio":{"input":{"turn_detection":{"type":"server_vad","silence_duration_ms":"long"}}}}""", "invalid_value", "session.audio.input.turn_detection.silence_duration_ms")]
    [InlineData("""{"type":"realtime","audio":{"output":{"speed":3}}}""", "invalid_value", "session.audio.output.speed")]
    [InlineData("""{"type":"realtime","tools":{}}""", "invalid_type", "session.tools")]
    public void Apply_Invalid_ReturnsTheRealServiceError(string session, string code, string param)
    {
        Assert.Null(Apply(session, out var error));
        Assert.Equal(code, error.Code);
        Assert.Equal(param, error.Param);
        Assert.Equal("invalid_request_error", error.Type);
    }

    [Fact]
    public void Apply_VoiceAfterAudio_IsRejectedButSameVoiceIsFine()
    {
        Assert.Null(Initial.Apply(Parse("""{"type":"realtime","audio":{"output":{"voice":"cedar"}}}"""), voiceLocked: true, out var error));
        Assert.Equal("cannot_update_voice", error.Code);
        Assert.NotNull(Initial.Apply(Parse("""{"type":"realtime","audio":{"output":{"voice":"marin"}}}"""), voiceLocked: true, out _));
    }

    [Fact]
    public void WriteTo_Defaults_MatchTheGaSessionObject()
    {
        var session = Write(Initial);
        Assert.Equal("realtime", session.GetProperty("type").GetString());
        Assert.Equal("realtime.session", session.GetProperty("object").GetString());
        Assert.Equal("sess_test", session.GetProperty("id").GetString());
        Assert.Equal(1_900_000_000, session.GetProperty("expires_at").GetInt64());
        Assert.Equal("inf", session.GetProperty("max_output_tokens").GetString());
        var detection = session.GetProperty("audio").GetProperty("input").GetProperty("turn_detection");
        Assert.Equal(0.5, detection.GetProperty("threshold").GetDouble());
        Assert.Equal(300, detection.GetProperty("prefix_padding_ms").GetInt32());
        Assert.Equal(500, detection.GetProperty("silence_duration_ms").GetInt32());
        Assert.Equal(JsonValueKind.Null, detection.GetProperty("idle_timeout_ms").ValueKind);
        Assert.Equal(24000, session.GetProperty("audio").GetProperty("output").GetProperty("format").GetProperty("rate").GetInt32());
    }

    private static LocalSessionConfig? Apply(string session, out LocalProtocolError error) =>
        Initial.Apply(Parse(session), voiceLocked: false, out error);

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static JsonElement Write(LocalSessionConfig config)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            config.WriteTo(writer);
        }

        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray())).RootElement.Clone();
    }
}
