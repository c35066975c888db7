using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;
using Switchboard.Server.Logging;

namespace Switchboard.Tests.Diagnostics;

public partial class LogRedactionTests
{
    [Theory]
    [InlineData("caller +15550001111 asked", "caller +*******1111 asked")]
    [InlineData("caller +1 (555) 000-1111 asked", "caller +* (***) ***-1111 asked")]
    [InlineData("dialled 15550002222", "dialled *******2222")]
    [InlineData("mail alice.smith+x@example.co.uk now", "mail ***@example.co.uk now")]
    [InlineData("From: <sip:+15550001111@carrier.example.com>", "From: <sip:***@carrier.example.com>")]
    [InlineData("sip:alice@example.com", "sip:***@example.com")]
    [InlineData("tel:+442079460000", "tel:+********0000")]
    public void Redact_MasksNumbersAndEmails(string text, string expected) => Assert.Equal(expected, LogRedaction.Redact(text));

    [Theory]
    [InlineData("Call call_5f2c00001234567890abcdef12345678 started")]
    [InlineData("endpoint e9d90000-0000-4000-8000-000000000002 and team 7ea70000-0000-4000-8000-000000000001")]
    [InlineData("SIP call rtc_479a275623b54bdb9b6fbae2f7cbd408 incoming")]
    [InlineData("answered 404 after 1234 ms, 5 retries, version 10.0.100")]
    [InlineData("short 555-1234 extension 1001")]
    [InlineData("")]
    public void Redact_LeavesIdsAndMeasurementsAlone(string text) => Assert.Equal(text, LogRedaction.Redact(text));

    [Fact]
    public void Logger_StructuredLine_MasksTextValuesOnly_AndRendersTheTemplateAgain()
    {
        var capture = new Capture();
        var logger = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace))).CreateLogger("test");

        LogDetail(logger, "rtc_1", "the caller +15550001111 (bob@example.com) hung up", 12345678);
        LogDetail(logger, "rtc_2", "nothing personal", 87654321);
#pragma warning disable CA1848, CA2254 // a plain line on purpose: it has no structure to mask
        logger.LogInformation("plain line for +15550001111");
#pragma warning restore CA1848, CA2254

        var (message, values) = capture.Lines[0];
        Assert.Equal("Call rtc_1: the caller +*******1111 (***@example.com) hung up after 12345678 ms", message);
        Assert.Equal("the caller +*******1111 (***@example.com) hung up", values.Single(v => v.Key == "Detail").Value);
        Assert.Equal(12345678L, values.Single(v => v.Key == "DurationMs").Value);
        Assert.Equal("Call {CallId}: {Detail} after {DurationMs} ms", values.Single(v => v.Key == "{OriginalFormat}").Value);
        Assert.Equal("Call rtc_2: nothing personal after 87654321 ms", capture.Lines[1].Message);
        Assert.Equal("plain line for +*******1111", capture.Lines[2].Message);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Call {CallId}: {Detail} after {DurationMs} ms")]
    private static partial void LogDetail(ILogger logger, string callId, string detail, long durationMs);

    private sealed class Capture : ILoggerProvider
    {
        public List<(string Message, IReadOnlyList<KeyValuePair<string, object?>> Values)> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(Capture capture) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                capture.Lines.Add((formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
        }
    }
}
