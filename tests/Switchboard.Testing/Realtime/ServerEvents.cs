using System.Text.Json.Nodes;

namespace Switchboard.Testing.Realtime;

/// <summary>
/// Server events of the OpenAI Realtime GA protocol, shaped as the service sends them, for a
/// <see cref="FakeRealtimeBackend"/> to send. Each call builds a new object; the backend adds the <c>event_id</c>.
/// </summary>
public static class ServerEvents
{
    public static JsonObject SessionCreated() => new()
    {
        ["type"] = "session.created",
        ["session"] = new JsonObject { ["type"] = "realtime", ["id"] = "sess_fake", ["model"] = "gpt-realtime" },
    };

    public static JsonObject ResponseCreated(string responseId) => new()
    {
        ["type"] = "response.created",
        ["response"] = new JsonObject { ["id"] = responseId, ["status"] = "in_progress" },
    };

    /// <summary><c>response.done</c> with <paramref name="status"/>, and a <c>usage</c> object when <paramref name="usage"/> is given.</summary>
    public static JsonObject ResponseDone(string responseId, string status = "completed", (int InputTokens, int OutputTokens)? usage = null)
    {
        var response = new JsonObject { ["id"] = responseId, ["status"] = status };
        if (usage is var (input, output))
        {
            response["usage"] = new JsonObject { ["total_tokens"] = input + output, ["input_tokens"] = input, ["output_tokens"] = output };
        }

        return new JsonObject { ["type"] = "response.done", ["response"] = response };
    }

    /// <summary><c>response.done</c> whose usage includes <paramref name="outputAudioTokens"/> audio tokens (about 50 ms of speech each).</summary>
    public static JsonObject ResponseDoneWithAudio(string responseId, int outputAudioTokens, int inputTokens = 100)
    {
        var output = outputAudioTokens + 10;
        return new JsonObject
        {
            ["type"] = "response.done",
            ["response"] = new JsonObject
            {
                ["id"] = responseId,
                ["status"] = "completed",
                ["usage"] = new JsonObject
                {
                    ["total_tokens"] = inputTokens + output,
                    ["input_tokens"] = inputTokens,
                    ["output_tokens"] = output,
                    ["input_token_details"] = new JsonObject { ["text_tokens"] = inputTokens, ["audio_tokens"] = 0, ["cached_tokens"] = 0 },
                    ["output_token_details"] = new JsonObject { ["text_tokens"] = 10, ["audio_tokens"] = outputAudioTokens },
                },
            },
        };
    }

    /// <summary><c>output_audio_buffer.started</c>/<c>.stopped</c>/<c>.cleared</c> (WebRTC and SIP): <paramref name="what"/> is the suffix.</summary>
    public static JsonObject OutputAudioBuffer(string what, string responseId) => new()
    {
        ["type"] = "output_audio_buffer." + what,
        ["response_id"] = responseId,
    };

    /// <summary><c>input_audio_buffer.dtmf_event_received</c> (SIP): the caller pressed <paramref name="digit"/>.</summary>
    public static JsonObject DtmfReceived(string digit) => new()
    {
        ["type"] = "input_audio_buffer.dtmf_event_received",
        ["event"] = digit,
        ["received_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
    };

    public static JsonObject OutputTextDelta(string responseId, string itemId, string delta) =>
        Content("response.output_text.delta", responseId, itemId, "delta", delta);

    public static JsonObject OutputTextDone(string responseId, string itemId, string text) =>
        Content("response.output_text.done", responseId, itemId, "text", text);

    /// <summary>One <c>response.output_audio.delta</c> carrying <paramref name="audio"/> (in the session's output format) as base64.</summary>
    public static JsonObject OutputAudioDelta(string responseId, string itemId, ReadOnlySpan<byte> audio) =>
        Content("response.output_audio.delta", responseId, itemId, "delta", Convert.ToBase64String(audio));

    public static JsonObject OutputAudioDone(string responseId, string itemId) =>
        Content("response.output_audio.done", responseId, itemId, null, null);

    public static JsonObject OutputAudioTranscriptDelta(string responseId, string itemId, string delta) =>
        Content("response.output_audio_transcript.delta", responseId, itemId, "delta", delta);

    public static JsonObject OutputAudioTranscriptDone(string responseId, string itemId, string transcript) =>
        Content("response.output_audio_transcript.done", responseId, itemId, "transcript", transcript);

    public static JsonObject SpeechStarted(long audioStartMs, string itemId) => new()
    {
        ["type"] = "input_audio_buffer.speech_started",
        ["audio_start_ms"] = audioStartMs,
        ["item_id"] = itemId,
    };

    public static JsonObject SpeechStopped(long audioEndMs, string itemId) => new()
    {
        ["type"] = "input_audio_buffer.speech_stopped",
        ["audio_end_ms"] = audioEndMs,
        ["item_id"] = itemId,
    };

    /// <summary>A finished function call: <paramref name="arguments"/> is the JSON text of the arguments, sent as a string.</summary>
    public static JsonObject FunctionCallArgumentsDone(string responseId, string callId, string name, string arguments) => new()
    {
        ["type"] = "response.function_call_arguments.done",
        ["response_id"] = responseId,
        ["item_id"] = "item_" + callId,
        ["output_index"] = 0,
        ["call_id"] = callId,
        ["name"] = name,
        ["arguments"] = arguments,
    };

    /// <summary>An <c>error</c> event; <paramref name="clientEventId"/> names the client event it refuses.</summary>
    public static JsonObject Error(string type, string code, string message, string? clientEventId) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message, ["param"] = null, ["event_id"] = clientEventId },
    };

    // The events about one content part of one output item: response, item, output and content index, then the payload.
    private static JsonObject Content(string type, string responseId, string itemId, string? field, string? value)
    {
        var evt = new JsonObject
        {
            ["type"] = type,
            ["response_id"] = responseId,
            ["item_id"] = itemId,
            ["output_index"] = 0,
            ["content_index"] = 0,
        };
        if (field is not null)
        {
            evt[field] = value;
        }

        return evt;
    }
}
