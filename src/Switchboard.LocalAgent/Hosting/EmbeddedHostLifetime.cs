using Microsoft.Extensions.Hosting;

namespace Switchboard.LocalAgent.Hosting;

/// <summary>
/// A host lifetime that does nothing. The embedded local backend is started and stopped by its owner, so it
/// must not hook Ctrl+C or SIGTERM (the default console lifetime would) and stop independently of the gateway.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
