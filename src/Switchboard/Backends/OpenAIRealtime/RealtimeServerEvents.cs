using Switchboard.Audio;

namespace Switchboard.Backends.OpenAIRealtime;

// The GA server events the gateway acts on, one record per event type, dispatched on RealtimeServerEventType.
// Kept in one file because together they are the protocol's event union; each is a plain data record.

/// <summary>Any server event; events without a dedicated record are represented by this base.</summary>
internal record RealtimeServerEvent(RealtimeServerEventType Type, string TypeName, string? EventId);

internal sealed record SessionEvent(RealtimeServerEventType Type, string TypeName, string? EventId, string? SessionId, string? Model,
    DateTimeOffset? ExpiresAt, AudioFormat? InputFormat, AudioFormat? OutputFormat, string? Voice)
    : RealtimeServerEvent(Type, TypeName, EventId);

internal sealed record SpeechStartedEvent(string? EventId, long AudioStartMs, string ItemId)
    : RealtimeServerEvent(RealtimeServerEventType.SpeechStarted, "input_audio_buffer.speech_started", EventId);

internal sealed record SpeechStoppedEvent(string? EventId, long AudioEndMs, string ItemId)
    : RealtimeServerEvent(RealtimeServerEventType.SpeechStopped, "input_audio_buffer.speech_stopped", EventId);

internal sealed record InputTranscriptionCompletedEvent(string? EventId, string ItemId, string Transcript)
    : RealtimeServerEvent(RealtimeServerEventType.InputTranscriptionCompleted, "conversation.item.input_audio_transcription.completed", EventId);

internal sealed record InputTranscriptionFailedEvent(string? EventId, string ItemId, string? Message)
    : RealtimeServerEvent(RealtimeServerEventType.InputTranscriptionFailed, "conversation.item.input_audio_transcription.failed", EventId);

internal sealed record ResponseCreatedEvent(string? EventId, string ResponseId)
    : RealtimeServerEvent(RealtimeServerEventType.ResponseCreated, "response.created", EventId)
{
    /// <summary>The response's <c>metadata</c> (string values) as given in <c>response.create</c>; null when it has none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

internal sealed record ResponseDoneEvent(string? EventId, string ResponseId, string Status, string? StatusReason, RealtimeUsage? Usage)
    : RealtimeServerEvent(RealtimeServerEventType.ResponseDone, "response.done", EventId)
{
    /// <summary>The response's <c>metadata</c> (string values); null when it has none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

internal sealed record OutputItemEvent(RealtimeServerEventType Type, string TypeName, string? EventId, string? ResponseId, string ItemId, string ItemType, string? Role)
    : RealtimeServerEvent(Type, TypeName, EventId);

internal sealed record OutputAudioDeltaEvent(string? EventId, string ResponseId, string ItemId, string Delta)
    : RealtimeServerEvent(RealtimeServerEventType.OutputAudioDelta, "response.output_audio.delta", EventId);

internal sealed record OutputAudioDoneEvent(string? EventId, string ResponseId, string ItemId)
    : RealtimeServerEvent(RealtimeServerEventType.OutputAudioDone, "response.output_audio.done", EventId);

internal sealed record OutputTextEvent(RealtimeServerEventType Type, string TypeName, string? EventId, string ResponseId, string ItemId, string Text)
    : RealtimeServerEvent(Type, TypeName, EventId);

internal sealed record FunctionCallArgumentsDoneEvent(string? EventId, string ResponseId, string ItemId, string CallId, string Name, string Arguments)
    : RealtimeServerEvent(RealtimeServerEventType.FunctionCallArgumentsDone, "response.function_call_arguments.done", EventId);

internal sealed record ItemTruncatedEvent(string? EventId, string ItemId, int ContentIndex, long AudioEndMs)
    : RealtimeServerEvent(RealtimeServerEventType.ConversationItemTruncated, "conversation.item.truncated", EventId);

/// <summary><c>output_audio_buffer.started</c>/<c>.stopped</c>/<c>.cleared</c> (WebRTC and SIP): playback of a response's audio at the backend.</summary>
internal sealed record OutputAudioBufferEvent(RealtimeServerEventType Type, string TypeName, string? EventId, string ResponseId)
    : RealtimeServerEvent(Type, TypeName, EventId);

/// <summary><c>input_audio_buffer.dtmf_event_received</c> (SIP): the key the caller pressed (<c>0-9</c>, <c>*</c>, <c>#</c>, <c>A-D</c>).</summary>
internal sealed record DtmfReceivedEvent(string? EventId, string Digit)
    : RealtimeServerEvent(RealtimeServerEventType.DtmfReceived, "input_audio_buffer.dtmf_event_received", EventId);

internal sealed record RealtimeErrorEvent(string? EventId, string ErrorType, string? Code, string Message, string? Param, string? ClientEventId)
    : RealtimeServerEvent(RealtimeServerEventType.Error, "error", EventId);

/// <summary>Token usage of one response (<c>response.done.response.usage</c>).</summary>
internal sealed record RealtimeUsage(int TotalTokens, int InputTokens, int OutputTokens, int InputTextTokens, int InputAudioTokens,
    int InputCachedTokens, int OutputTextTokens, int OutputAudioTokens);
