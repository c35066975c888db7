using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Switchboard.LocalAgent.Hosting;

/// <summary>
/// The gateway's logging, minus the embedded server's own lifetime messages: its "Now listening on" names the internal
/// loopback port, and printed first it would send a user's browser to the wrong place. The local backend reports its
/// URL itself (event 4150), after the gateway has said where to point a browser.
/// </summary>
internal sealed class EmbeddedLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private const string LifetimeCategory = "Microsoft.Hosting.Lifetime";

    public ILogger CreateLogger(string categoryName) =>
        string.Equals(categoryName, LifetimeCategory, StringComparison.Ordinal) ? NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The gateway owns the inner factory and disposes it.
    public void Dispose()
    {
    }
}
