using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Webhooks;

namespace Switchboard.Server.Webhooks;

/// <summary>Runs the <see cref="WebhookDispatcher"/> for the life of the host (unless <c>Switchboard:Webhooks:DispatcherEnabled</c> is false).</summary>
internal sealed class WebhookDispatcherService(WebhookDispatcher dispatcher, IOptions<SwitchboardOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Webhooks.DispatcherEnabled ? dispatcher.RunAsync(stoppingToken) : Task.CompletedTask;
}
