using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>An in-memory <see cref="ICallJournal"/>: every appended <see cref="CallEvent"/>, in order.</summary>
internal sealed class MemoryCallJournal(HarnessSignal signal) : ICallJournal
{
    private readonly Lock _gate = new();
    private readonly List<CallEvent> _events = [];

    public IReadOnlyList<CallEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    public JournalHealth Health { get; } = new(true, "in memory");

    public IReadOnlyList<CallEvent> OfType(CallEventType type) => Events.Where(e => e.Type == type).ToArray();

    public void Append(CallEvent callEvent)
    {
        lock (_gate)
        {
            _events.Add(callEvent);
        }

        signal.Pulse();
    }

    public Task<IReadOnlyList<CallEvent>> ReadAsync(string callId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CallEvent>>(Events.Where(e => e.CallId == callId).ToArray());

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
