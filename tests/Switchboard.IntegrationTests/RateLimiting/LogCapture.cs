using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.RateLimiting;

/// <summary>Keeps every log line a gateway writes (event id and formatted text), for tests about what is logged.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(int EventId, string Category, string Text)> _lines = new();

    public IReadOnlyList<(int EventId, string Category, string Text)> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._lines.Enqueue((eventId.Id, category, formatter(state, exception)));
    }
}
