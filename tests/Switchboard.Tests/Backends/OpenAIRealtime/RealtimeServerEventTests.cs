using System.Text;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Tests.Backends.OpenAIRealtime;

public class RealtimeServerEventTests
{
    private static RealtimeServerEvent Parse(string json) => RealtimeEventParser.Parse(Encoding.UTF8.GetBytes(json)) ?? throw new InvalidOperationException("null");

    [Fact]
    public void TryScan_AudioDelta_FindsTypeItemResponseAndDeltaWithoutParsing()
    {
        var json = """{"event_id":"event_1","type":"response.output_audio.delta","response_id":"resp_1","item_id":"item_9","output_index":0,"content_index":0,"delta":"AAEC/w=="}"""u8;
        Assert.True(RealtimeEventScanner.TryScan(json, out var header));
        Assert.Equal(RealtimeServerEventType.OutputAudioDelta, header.Type);
        Assert.Equal("item_9", Encoding.UTF8.GetString(header.ItemId));
        Assert.Equal("resp_1", Encoding.UTF8.GetString(header.ResponseId));
        Assert.Equal("AAEC/w==", Encoding.UTF8.GetString(header.Delta));
        Assert.False(header.DeltaEscaped);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("{\"no_type\":1}")]
    [InlineData("{\"type\":\"response.output_audio.delta\",\"delta\":")]
    public void TryScan_Malformed_ReturnsFalse(string json) =>
        Assert.False(RealtimeEventScanner.TryScan(Encoding.UTF8.GetBytes(json), out _));

    [Fact]
    public void TryScan_NestedTypeFields_AreNotMistakenForTheEventType()
    {
        var json = """{"item":{"type":"message","delta":"x"},"type":"response.output_item.added"}"""u8;
        Assert.True(RealtimeEventScanner.TryScan(json, out var header));
        Assert.Equal(RealtimeServerEventType.OutputItemAdded, header.Type);
        Assert.True(header.Delta.IsEmpty);
    }

    [Fact]
    public void Classify_UnknownAndBetaNames_AreUnknown()
    {
        Assert.Equal(RealtimeServerEventType.Unknown, RealtimeEventScanner.Classify("response.audio.delta"u8));
        Assert.Equal(RealtimeServerEventType.Unknown, RealtimeEventScanner.Classify("x"u8));
        Assert.Equal(RealtimeServerEventType.SpeechStarted, RealtimeEventScanner.Classify("input_audio_buffer.speech_started"u8));
    }

    [Fact]
    public void Parse_SessionCreated_ReadsIdExpiryFormatsVoice()
    {
        var e = Assert.IsType<SessionEvent>(Parse("""
        {"type":"session.created","event_id":"event_C","session":{"type":"realtime","object":"realtime.session","id":"sess_1","model":"gpt-realtime","expires_at":1750000000,
         "audio":{"input":{"format":{"type":"audio/pcm","rate":24000}},"output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}}}
        """));
        Assert.Equal(RealtimeServerEventType.SessionCreated, e.Type);
        Assert.Equal("sess_1", e.SessionId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1750000000), e.ExpiresAt);
        Assert.Equal(AudioFormat.Pcm24k, e.InputFormat);
        Assert.Equal(AudioFormat.MuLaw8k, e.OutputFormat);
        Assert.Equal("marin", e.Voice);
    }

    [Fact]
    public void Parse_SpeechStartedAndStopped_ReadTimesAndItem()
    {
        var started = Assert.IsType<SpeechStartedEvent>(Parse("""{"type":"input_audio_buffer.speech_started","event_id":"e","audio_start_ms":1000,"item_id":"item_1"}"""));
        Assert.Equal(1000, started.AudioStartMs);
        Assert.Equal("item_1", started.ItemId);
        var stopped = Assert.IsType<SpeechStoppedEvent>(Parse("""{"type":"input_audio_buffer.speech_stopped","event_id":"e","audio_end_ms":2400,"item_id":"item_1"}"""));
        Assert.Equal(2400, stopped.AudioEndMs);
    }

    [Fact]
    public void Parse_ResponseDone_ReadsStatusReasonAndUsage()
    {
        var done = Assert.IsType<ResponseDoneEvent>(Parse("""
        {"type":"response.done","event_id":"e","response":{"id":"resp_1","object":"realtime.response","status":"cancelled",
          "status_details":{"type":"cancelled","reason":"turn_detected"},
          "usage":{"total_tokens":253,"input_tokens":132,"output_tokens":121,
            "input_token_details":{"text_tokens":119,"audio_tokens":13,"image_tokens":0,"cached_tokens":64,"cached_tokens_details":{"text_tokens":64,"audio_tokens":0,"image_tokens":0}},
            "output_token_details":{"text_tokens":30,"audio_tokens":91}}}}
        """));
        Assert.Equal("resp_1", done.ResponseId);
        Assert.Equal("cancelled", done.Status);
        Assert.Equal("turn_detected", done.StatusReason);
        Assert.Equal(new RealtimeUsage(253, 132, 121, 119, 13, 64, 30, 91), done.Usage);
    }

    [Fact]
    public void Parse_FunctionCallArgumentsDone_ReadsCall()
    {
        var call = Assert.IsType<FunctionCallArgumentsDoneEvent>(Parse("""
        {"type":"response.function_call_arguments.done","call_id":"call_123","name":"transfer_call","arguments":"{\"reason\":\"billing\"}","item_id":"item_x","output_index":0,"response_id":"resp_y","event_id":"event_z"}
        """));
        Assert.Equal(("call_123", "transfer_call", "{\"reason\":\"billing\"}", "resp_y"), (call.CallId, call.Name, call.Arguments, call.ResponseId));
    }

    [Fact]
    public void Parse_Transcripts_ReadTextForEachKind()
    {
        Assert.Equal("hello", Assert.IsType<InputTranscriptionCompletedEvent>(Parse("""{"type":"conversation.item.input_audio_transcription.completed","item_id":"i","content_index":0,"transcript":"hello","usage":{"type":"duration","seconds":1.4}}""")).Transcript);
        var done = Assert.IsType<OutputTextEvent>(Parse("""{"type":"response.output_audio_transcript.done","response_id":"r","item_id":"i","output_index":0,"content_index":0,"transcript":"Hi there"}"""));
        Assert.Equal((RealtimeServerEventType.OutputAudioTranscriptDone, "Hi there"), (done.Type, done.Text));
        var text = Assert.IsType<OutputTextEvent>(Parse("""{"type":"response.output_text.done","response_id":"r","item_id":"i","text":"typed"}"""));
        Assert.Equal("typed", text.Text);
    }

    [Fact]
    public void Parse_Error_ReadsCodeParamAndClientEventId()
    {
        var error = Assert.IsType<RealtimeErrorEvent>(Parse("""{"type":"error","event_id":"event_1","error":{"type":"invalid_request_error","code":"unknown_parameter","message":"Unknown parameter: 'session.type'.","param":"session.type","event_id":"client_7"}}"""));
        Assert.Equal(("invalid_request_error", "unknown_parameter", "session.type", "client_7"), (error.ErrorType, error.Code, error.Param, error.ClientEventId));
    }

    [Fact]
    public void Parse_UnknownTypeOrGarbage_IsGenericOrNull()
    {
        var generic = Parse("""{"type":"rate_limits.updated","rate_limits":[]}""");
        Assert.Equal(RealtimeServerEventType.RateLimitsUpdated, generic.Type);
        Assert.Equal(RealtimeServerEventType.Unknown, Parse("""{"type":"something.new"}""").Type);
        Assert.Null(RealtimeEventParser.Parse("not json"u8));
        Assert.Null(RealtimeEventParser.Parse("""{"type":5}"""u8));
    }

    [Fact]
    public void Parse_MissingFields_GiveEmptyValuesNotExceptions()
    {
        var started = Assert.IsType<SpeechStartedEvent>(Parse("""{"type":"input_audio_buffer.speech_started"}"""));
        Assert.Equal((0L, ""), (started.AudioStartMs, started.ItemId));
        var done = Assert.IsType<ResponseDoneEvent>(Parse("""{"type":"response.done"}"""));
        Assert.Null(done.Usage);
    }
}
