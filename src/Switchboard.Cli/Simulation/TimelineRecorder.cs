namespace Switchboard.Cli.Simulation;

/// <summary>Thread-safe timeline collector; forwards each entry to an optional observer as it is recorded (live output).</summary>
internal sealed class TimelineRecorder(Action<TimelineEntry>? observer)
{
    private readonly List<TimelineEntry> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>Records an event at <paramref name="timeMs"/> call time.</summary>
    public void Add(TimelineKind kind, double timeMs, string detail)
    {
        var entry = new TimelineEntry(kind, timeMs, detail);
        lock (_lock)
        {
            _entries.Add(entry);
            observer?.Invoke(entry);
        }
    }

    /// <summary>All entries ordered by time (ties keep recording order).</summary>
    public IReadOnlyList<TimelineEntry> Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries.OrderBy(e => e.TimeMs)];
        }
    }
}
