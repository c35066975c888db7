namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>GA server event types the gateway distinguishes; everything else is <see cref="Unknown"/>.</summary>
internal enum RealtimeServerEventType
{
    Unknown,
    Error,
    SessionCreated,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    InputAudioCommitted,
    InputAudioCleared,
    InputAudioTimeoutTriggered,
    InputTranscriptionDelta,
    InputTranscriptionCompleted,
    InputTranscriptionFailed,
    ConversationItemAdded,
    ConversationItemDone,
    ConversationItemCreated,
    ConversationItemTruncated,
    ResponseCreated,
    ResponseDone,
    OutputItemAdded,
    OutputItemDone,
    ContentPartAdded,
    ContentPartDone,
    OutputAudioDelta,
    OutputAudioDone,
    OutputAudioTranscriptDelta,
    OutputAudioTranscriptDone,
    OutputTextDelta,
    OutputTextDone,
    FunctionCallArgumentsDelta,
    FunctionCallArgumentsDone,
    RateLimitsUpdated,

    /// <summary><c>output_audio_buffer.started</c> (WebRTC and SIP only): the agent's audio began playing to the caller.</summary>
    OutputAudioBufferStarted,

    /// <summary><c>output_audio_buffer.stopped</c> (WebRTC and SIP only): the agent's audio has finished playing.</summary>
    OutputAudioBufferStopped,

    /// <summary><c>output_audio_buffer.cleared</c> (WebRTC and SIP only): the agent's audio was cut off (barge-in).</summary>
    OutputAudioBufferCleared,

    /// <summary><c>input_audio_buffer.dtmf_event_received</c> (SIP only): the caller pressed a key.</summary>
    DtmfReceived,
}
