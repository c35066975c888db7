namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>
/// The top-level fields of one server event, as spans into the received message. Enough to route an
/// event and to forward an audio delta without allocating; other events are parsed into records.
/// </summary>
internal ref struct RealtimeEventHeader
{
    public RealtimeServerEventType Type;

    public ReadOnlySpan<byte> ItemId;

    public ReadOnlySpan<byte> ResponseId;

    /// <summary>The <c>delta</c> string as it appears in the JSON (still escaped when <see cref="DeltaEscaped"/>).</summary>
    public ReadOnlySpan<byte> Delta;

    public bool DeltaEscaped;
}
