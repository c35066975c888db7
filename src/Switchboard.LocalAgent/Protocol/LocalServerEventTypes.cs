using System.Text.Json;

namespace Switchboard.LocalAgent.Protocol;

/// <summary>GA server event type names, pre-encoded once.</summary>
internal static class LocalServerEventTypes
{
    public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    public static readonly JsonEncodedText SessionCreated = JsonEncodedText.Encode("session.created");
    public static readonly JsonEncodedText SessionUpdated = JsonEncodedText.Encode("session.updated");
    public static readonly JsonEncodedText SpeechStarted = JsonEncodedText.Encode("input_audio_buffer.speech_started");
    public static readonly JsonEncodedText SpeechStopped = JsonEncodedText.Encode("input_audio_buffer.speech_stopped");
    public static readonly JsonEncodedText Committed = JsonEncodedText.Encode("input_audio_buffer.committed");
    public static readonly JsonEncodedText Cleared = JsonEncodedText.Encode("input_audio_buffer.cleared");
    public static readonly JsonEncodedText ItemAdded = JsonEncodedText.Encode("conversation.item.added");
    public static readonly JsonEncodedText ItemDone = JsonEncodedText.Encode("conversation.item.done");
    public static readonly JsonEncodedText ItemTruncated = JsonEncodedText.Encode("conversation.item.truncated");
    public static readonly JsonEncodedText ItemDeleted = JsonEncodedText.Encode("conversation.item.deleted");
    public static readonly JsonEncodedText ItemRetrieved = JsonEncodedText.Encode("conversation.item.retrieved");
    public static readonly JsonEncodedText TranscriptionCompleted = JsonEncodedText.Encode("conversation.item.input_audio_transcription.completed");
    public static readonly JsonEncodedText ResponseCreated = JsonEncodedText.Encode("response.created");
    public static readonly JsonEncodedText ResponseDone = JsonEncodedText.Encode("response.done");
    public static readonly JsonEncodedText OutputItemAdded = JsonEncodedText.Encode("response.output_item.added");
    public static readonly JsonEncodedText OutputItemDone = JsonEncodedText.Encode("response.output_item.done");
    public static readonly JsonEncodedText ContentPartAdded = JsonEncodedText.Encode("response.content_part.added");
    public static readonly JsonEncodedText ContentPartDone = JsonEncodedText.Encode("response.content_part.done");
    public static readonly JsonEncodedText AudioDelta = JsonEncodedText.Encode("response.output_audio.delta");
    public static readonly JsonEncodedText AudioDone = JsonEncodedText.Encode("response.output_audio.done");
    public static readonly JsonEncodedText AudioTranscriptDelta = JsonEncodedText.Encode("response.output_audio_transcript.delta");
    public static readonly JsonEncodedText AudioTranscriptDone = JsonEncodedText.Encode("response.output_audio_transcript.done");
    public static readonly JsonEncodedText TextDelta = JsonEncodedText.Encode("response.output_text.delta");
    public static readonly JsonEncodedText TextDone = JsonEncodedText.Encode("response.output_text.done");
    public static readonly JsonEncodedText FunctionCallArgumentsDelta = JsonEncodedText.Encode("response.function_call_arguments.delta");
    public static readonly JsonEncodedText FunctionCallArgumentsDone = JsonEncodedText.Encode("response.function_call_arguments.done");
}
