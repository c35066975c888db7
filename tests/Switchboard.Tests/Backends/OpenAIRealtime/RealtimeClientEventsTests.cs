using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Tests.Backends.OpenAIRealtime;

public class RealtimeClientEventsTests
{
    private static JsonNode Written(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return JsonNode.Parse(buffer.WrittenSpan)!;
    }

    private static void AssertJsonEqual(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    [Fact]
    public void WriteSessionUpdate_TelephonyPcmu_MatchesGaGoldenJson()
    {
        using var parameters = JsonDocument.Parse("""{"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"]}""");
        var settings = new RealtimeSessionSettings
        {
            Model = "gpt-realtime",
            Instructions = "You are a helpful phone agent.",
            Voice = "marin",
            InputFormat = AudioFormat.MuLaw8k,
            OutputFormat = AudioFormat.MuLaw8k,
            TurnDetection = "server_vad",
            VadThreshold = 0.5,
            PrefixPaddingMs = 300,
            SilenceDurationMs = 500,
            TranscriptionModel = "gpt-4o-mini-transcribe",
            TranscriptionLanguage = "en",
            Tools = [new RealtimeToolDefinition("transfer_call", "Transfer to a human", parameters.RootElement.Clone())],
        };

        var json = Written(w => RealtimeClientEvents.WriteSessionUpdate(w, settings));

        AssertJsonEqual("""
        {"type":"session.update","session":{"type":"realtime","model":"gpt-realtime","output_modalities":["audio"],
          "instructions":"You are a helpful phone agent.",
          "audio":{"input":{"format":{"type":"audio/pcmu"},
                            "transcription":{"model":"gpt-4o-mini-transcribe","language":"en"},
                            "turn_detection":{"type":"server_vad","threshold":0.5,"prefix_padding_ms":300,"silence_duration_ms":500,"create_response":true,"interrupt_response":true}},
                   "output":{"format":{"type":"audio/pcmu"},"voice":"marin"}},
          "tools":[{"type":"function","name":"transfer_call","description":"Transfer to a human",
                    "parameters":{"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"]}}],
          "tool_choice":"auto"}}
        """, json);
    }

    [Fact]
    public void WriteSessionUpdate_Pcm24NoTurnDetectionNoTranscription_WritesRateAndNulls()
    {
        var settings = new RealtimeSessionSettings
        {
            Model = "gpt-realtime",
            InputFormat = AudioFormat.Pcm24k,
            OutputFormat = AudioFormat.ALaw8k,
            TurnDetection = "none",
            TranscriptionModel = null,
        };

        var json = Written(w => RealtimeClientEvents.WriteSessionUpdate(w, settings));
        var audio = json["session"]!["audio"]!;

        AssertJsonEqual("""{"type":"audio/pcm","rate":24000}""", audio["input"]!["format"]!);
        AssertJsonEqual("""{"type":"audio/pcma"}""", audio["output"]!["format"]!);
        Assert.Null(audio["input"]!["turn_detection"]);
        Assert.True(((JsonObject)audio["input"]!).ContainsKey("turn_detection"));
        Assert.Null(audio["input"]!["transcription"]);
        Assert.Equal("realtime", (string?)json["session"]!["type"]);
    }

    [Fact]
    public void WriteAppendBase64_Payload_IsTheGaAppendEventWithTheSameBytes()
    {
        var json = Written(w => RealtimeClientEvents.WriteAppendBase64(w, "no+JhoaJ/w=="u8));
        AssertJsonEqual("""{"type":"input_audio_buffer.append","audio":"no+JhoaJ/w=="}""", json);
    }

    [Fact]
    public void WriteAppend_RawBytes_Base64EncodesThem()
    {
        byte[] audio = [0xFF, 0x7F, 0x00, 0x80];
        var json = Written(w => RealtimeClientEvents.WriteAppend(w, audio));
        Assert.Equal(Convert.ToBase64String(audio), (string?)json["audio"]);
    }

    [Fact]
    public void WriteTruncate_Fields_MatchGa()
    {
        var json = Written(w => RealtimeClientEvents.WriteTruncate(w, "item_abc", 0, 1840));
        AssertJsonEqual("""{"type":"conversation.item.truncate","item_id":"item_abc","content_index":0,"audio_end_ms":1840}""", json);
    }

    [Fact]
    public void WriteFunctionCallOutput_Fields_MatchGa()
    {
        var json = Written(w => RealtimeClientEvents.WriteFunctionCallOutput(w, "call_123", "{\"ok\":true}"));
        AssertJsonEqual("""{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"call_123","output":"{\"ok\":true}"}}""", json);
    }

    [Fact]
    public void WriteUserText_Fields_MatchGa()
    {
        var json = Written(w => RealtimeClientEvents.WriteUserText(w, "Hello"));
        AssertJsonEqual("""{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello"}]}}""", json);
    }

    [Fact]
    public void WriteResponseCreateAndCancel_Shapes_MatchGa()
    {
        AssertJsonEqual("""{"type":"response.create"}""", Written(w => RealtimeClientEvents.WriteResponseCreate(w)));
        AssertJsonEqual("""{"type":"response.create","response":{"instructions":"Say hi"}}""", Written(w => RealtimeClientEvents.WriteResponseCreate(w, "Say hi")));
        AssertJsonEqual("""{"type":"response.cancel"}""", Written(w => RealtimeClientEvents.WriteResponseCancel(w)));
        AssertJsonEqual("""{"type":"response.cancel","response_id":"resp_1"}""", Written(w => RealtimeClientEvents.WriteResponseCancel(w, "resp_1")));
    }

    [Fact]
    public void WriteSessionUpdate_TextModality_OmitsAudioAndKeepsTools()
    {
        using var parameters = JsonDocument.Parse("""{"type":"object","properties":{}}""");
        var settings = new RealtimeSessionSettings
        {
            Model = "gpt-realtime",
            Instructions = "Answer in writing.",
            OutputModality = "text",
            Tools = [new RealtimeToolDefinition("lookup", "Look up", parameters.RootElement.Clone())],
        };

        var json = Written(w => RealtimeClientEvents.WriteSessionUpdate(w, settings));

        AssertJsonEqual("""
        {"type":"session.update","session":{"type":"realtime","model":"gpt-realtime","output_modalities":["text"],
          "instructions":"Answer in writing.",
          "tools":[{"type":"function","name":"lookup","description":"Look up","parameters":{"type":"object","properties":{}}}],
          "tool_choice":"auto"}}
        """, json);
    }

    [Fact]
    public void WriteUserText_WithItemAndEventIds_WritesBoth()
    {
        var json = Written(w => RealtimeClientEvents.WriteUserText(w, "Hi", itemId: "msg_1", eventId: "evt_1"));
        AssertJsonEqual("""{"type":"conversation.item.create","event_id":"evt_1","item":{"id":"msg_1","type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}}""", json);
    }

    [Fact]
    public void WriteAssistantText_Fields_UseOutputText()
    {
        var json = Written(w => RealtimeClientEvents.WriteAssistantText(w, "Welcome!"));
        AssertJsonEqual("""{"type":"conversation.item.create","item":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Welcome!"}]}}""", json);
    }

    [Fact]
    public void WriteResponseCreate_WithEventId_WritesEventId()
    {
        AssertJsonEqual("""{"type":"response.create","event_id":"evt_9"}""", Written(w => RealtimeClientEvents.WriteResponseCreate(w, eventId: "evt_9")));
    }

    [Fact]
    public void WriteUserText_QuotesAndUnicode_AreValidJson()
    {
        var json = Written(w => RealtimeClientEvents.WriteUserText(w, "say \"café\"\n"));
        Assert.Equal("say \"café\"\n", (string?)json["item"]!["content"]![0]!["text"]);
        _ = Encoding.UTF8;
    }
}
