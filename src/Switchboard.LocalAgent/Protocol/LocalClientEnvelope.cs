namespace Switchboard.LocalAgent.Protocol;

/// <summary>
/// The top level of a client event, read without building a document: its kind, where its
/// <c>event_id</c> and (for appends) its base64 <c>audio</c> sit in the message. Offsets index the
/// received message, or the scratch buffer when <see cref="AudioUnescaped"/> is set.
/// </summary>
internal struct LocalClientEnvelope
{
    public LocalClientEventKind Kind;
    public int TypeStart;
    public int TypeLength;
    public int EventIdStart;
    public int EventIdLength;
    public int AudioStart;
    public int AudioLength;
    public bool AudioUnescaped;
    public bool HasAudio;
    public bool EventIdEscaped;
    public bool TypeEscaped;
}
