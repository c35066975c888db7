namespace Switchboard.LocalAgent.Protocol;

/// <summary>GA client event types the local agent understands.</summary>
internal enum LocalClientEventKind
{
    /// <summary>The message has no <c>type</c>.</summary>
    Missing,

    /// <summary>A <c>type</c> the GA protocol does not define.</summary>
    Unknown,
    SessionUpdate,
    InputAudioBufferAppend,
    InputAudioBufferCommit,
    InputAudioBufferClear,
    ConversationItemCreate,
    ConversationItemTruncate,
    ConversationItemDelete,
    ConversationItemRetrieve,
    ResponseCreate,
    ResponseCancel,
    OutputAudioBufferClear,
    TranscriptionSessionUpdate,
}
