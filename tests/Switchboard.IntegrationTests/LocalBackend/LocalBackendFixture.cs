using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Configuration;
using Switchboard.LocalAgent.Hosting;

namespace Switchboard.IntegrationTests.LocalBackend;

/// <summary>Starts a <see cref="LocalRealtimeHost"/> on a free loopback port for one test.</summary>
internal static class LocalBackendFixture
{
    public static async Task<LocalRealtimeHost> StartAsync(LocalBackendOptions? options = null)
    {
        var host = new LocalRealtimeHost(options ?? new LocalBackendOptions { PaceFactor = 0 }, 0, NullLoggerFactory.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        return host;
    }
}
