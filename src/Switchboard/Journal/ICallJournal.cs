namespace Switchboard.Journal;

/// <summary>Durable append-only record of each call's events. Appends never block the audio path.</summary>
internal interface ICallJournal
{
    void Append(CallEvent callEvent);

    /// <summary>Reads a call's events in order (after pending writes are flushed).</summary>
    Task<IReadOnlyList<CallEvent>> ReadAsync(string callId, CancellationToken cancellationToken);

    /// <summary>Waits until every event appended so far is on disk.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Reports whether the journal can write (for health checks).</summary>
    JournalHealth Health { get; }
}
