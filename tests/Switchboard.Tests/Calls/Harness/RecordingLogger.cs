using Microsoft.Extensions.Logging;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>A logger that keeps every entry (all levels), so a test can see what the bridge logged.</summary>
internal sealed class RecordingLogger(HarnessSignal signal) : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _entries.Add(new Entry(logLevel, eventId, formatter(state, exception), exception));
        }

        signal.Pulse();
    }

    public sealed record Entry(LogLevel Level, EventId EventId, string Message, Exception? Exception);
}
