using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Control;

/// <summary>
/// Migrates the database and creates the default team and endpoint before the gateway accepts traffic
/// (hosted services start before Kestrel listens). A database that cannot be reached fails start-up with
/// the reason rather than serving a gateway that would lose every call record. Then the calls this node's previous run left
/// open (a crash, <c>kill -9</c>) are closed <c>node_lost</c> (<see cref="NodeLostReaper"/>).
/// </summary>
internal sealed partial class StoreStartup : IHostedService
{
    private readonly IControlPlaneStore _store;
    private readonly ControlPlaneState _state;
    private readonly SwitchboardOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreStartup> _logger;
    private readonly NodeLostReaper _reaper;

    public StoreStartup(IControlPlaneStore store, ControlPlaneState state, IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<StoreStartup> logger, NodeLostReaper reaper)
    {
        _reaper = reaper;
        _store = store;
        _state = state;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        BootstrapResult result;
        try
        {
            result = await ControlPlaneBootstrap.RunAsync(_store, _options.Agent, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            var health = await _store.PingAsync(cancellationToken).ConfigureAwait(false);
            LogUnavailable(_logger, health.Detail);
            throw new InvalidOperationException($"storage unavailable: {health.Detail}", ex);
        }

        _state.Set(result);
        var ping = await _store.PingAsync(cancellationToken).ConfigureAwait(false);
        LogReady(_logger, ping.Detail, result.DefaultTeam.Name, result.DefaultEndpoint.Name, result.DefaultEndpoint.Id);
        if (result.CreatedTeam)
        {
            LogFirstRun(_logger, result.DefaultTeam.Name);
        }

        // Calls a crash of this node's previous run left open end node_lost now, before this run admits a call of its own.
        await _reaper.ReapAsync(_options.Node.Id, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = EventIds.StorageReady, Level = LogLevel.Information, Message = "Storage: {Detail}; default team '{Team}', default endpoint '{Endpoint}' ({EndpointId})")]
    private static partial void LogReady(ILogger logger, string detail, string team, string endpoint, Guid endpointId);

    [LoggerMessage(EventId = EventIds.StorageFirstRun, Level = LogLevel.Warning, Message = "First run: created team '{Team}'. Create the first API key with: ./switchboard keys create --name admin --scopes ADMIN")]
    private static partial void LogFirstRun(ILogger logger, string team);

    [LoggerMessage(EventId = EventIds.StorageUnavailable, Level = LogLevel.Critical, Message = "Storage unavailable at start-up: {Detail}")]
    private static partial void LogUnavailable(ILogger logger, string detail);
}
