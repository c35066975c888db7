using Switchboard.Journal;

namespace Switchboard.Telemetry;

/// <summary>
/// The journal as every writer sees it: each appended <see cref="CallEvent"/> is counted by <see cref="GatewayTelemetry"/>
/// and published on the <see cref="CallEventFeed"/> (the operations page's live view), then handed to the durable journal.
/// This is the one place call metrics come from, whatever the channel or whoever journals (a call, admission's preflight).
/// The durable journal underneath is the host's to dispose.
/// </summary>
internal sealed class ObservedCallJournal : ICallJournal
{
    private readonly ICallJournal _inner;
    private readonly GatewayTelemetry _telemetry;
    private readonly CallEventFeed _feed;

    public ObservedCallJournal(ICallJournal inner, GatewayTelemetry telemetry, CallEventFeed feed)
    {
        _inner = inner;
        _telemetry = telemetry;
        _feed = feed;
    }

    /// <summary>The durable journal underneath.</summary>
    public ICallJournal Inner => _inner;

    public JournalHealth Health => _inner.Health;

    public void Append(CallEvent callEvent)
    {
        _inner.Append(callEvent);
        _telemetry.Observe(callEvent);
        _feed.Publish(callEvent);
    }

    public Task<IReadOnlyList<CallEvent>> ReadAsync(string callId, CancellationToken cancellationToken) => _inner.ReadAsync(callId, cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
}
