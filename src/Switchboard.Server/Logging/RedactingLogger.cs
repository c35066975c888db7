using System.Globalization;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Logging;

/// <summary>
/// Masks a log line's personal data, structurally: the string values of a structured line (<c>[LoggerMessage]</c> parameters)
/// are masked one by one and the message is rendered again from its template, so numbers that are measurements (durations,
/// counts) stay as they are; a line without structure has its text masked. Lines with nothing to mask pass through as they were.
/// </summary>
internal sealed class RedactingLogger : ILogger
{
    private readonly ILogger _inner;

    public RedactingLogger(ILogger inner) => _inner = inner;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!_inner.IsEnabled(logLevel))
        {
            return;
        }

        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            // The template counts too: a line logged from an interpolated string carries its text there.
            if (!values.Any(v => IsText(v.Value, out var text) && LogRedaction.MayNeedRedaction(text)))
            {
                _inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            _inner.Log(logLevel, eventId, RedactedLogState.From(values), exception, RedactedLogState.Format);
            return;
        }

        var message = formatter(state, exception);
        if (!LogRedaction.MayNeedRedaction(message))
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        _inner.Log(logLevel, eventId, RedactedLogState.Of(LogRedaction.Redact(message)), exception, RedactedLogState.Format);
    }

    /// <summary>Whether a value is logged as text that could carry personal data (not a number, time, id or flag).</summary>
    internal static bool IsText(object? value, out string text)
    {
        switch (value)
        {
            case null or bool or Enum or Guid or DateTime or DateTimeOffset or TimeSpan:
            case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                text = "";
                return false;
            case string s:
                text = s;
                return true;
            case IFormattable formattable:
                text = formattable.ToString(null, CultureInfo.InvariantCulture);
                return true;
            default:
                text = value.ToString() ?? "";
                return true;
        }
    }
}
