namespace Switchboard.Server.Logging;

/// <summary>
/// The gateway's logger factory: every logger it creates masks phone numbers and e-mail addresses
/// (<see cref="Switchboard.Diagnostics.LogRedaction"/>) before any provider sees the line, whichever channel logged it and
/// whichever providers (console, JSON, OpenTelemetry, a test's capture) are registered.
/// </summary>
internal sealed class RedactingLoggerFactory : ILoggerFactory
{
    private readonly ILoggerFactory _inner;

    public RedactingLoggerFactory(ILoggerFactory inner) => _inner = inner;

    public ILogger CreateLogger(string categoryName) => new RedactingLogger(_inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    public void Dispose() => _inner.Dispose();
}
