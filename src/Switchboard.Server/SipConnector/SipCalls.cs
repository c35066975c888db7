using System.Collections.Concurrent;
using Switchboard.Calls;
using Switchboard.Diagnostics;
using Switchboard.Journal;
using Switchboard.SipConnector;

namespace Switchboard.Server.SipConnector;

/// <summary>
/// Runs SIP connector calls in the background: the webhook answers at once (the connector wants an answer within seconds)
/// while each call is admitted, accepted and steered by its own <see cref="CallBridge"/>. No request holds these calls, so
/// the host waits for them when it stops (the registry has already told each to end).
/// </summary>
internal sealed partial class SipCalls : IHostedService
{
    private static readonly string ShutdownText = "gateway shutting down";

    private readonly CallHost _host;
    private readonly ILogger<SipCalls> _logger;
    private readonly ConcurrentDictionary<CallBridge, Task> _running = new();
    private volatile bool _stopping;

    public SipCalls(CallHost host, ILogger<SipCalls> logger)
    {
        _host = host;
        _logger = logger;
    }

    /// <summary>Calls running now.</summary>
    public int Count => _running.Count;

    /// <summary>Starts the call of <paramref name="leg"/> and returns at once.</summary>
    public void Start(SipConnectorLeg leg)
    {
        var bridge = _host.Create(leg, CancellationToken.None);
        _running[bridge] = Task.Run(() => RunAsync(bridge, leg.SipCallId));
        if (_stopping)
        {
            // Started while the host stops: it ends at once (declined, or hung up if already accepted).
            _ = bridge.EndFromOutsideAsync(CallEndReason.GatewayShutdown, ShutdownText);
        }
    }

    private async Task RunAsync(CallBridge bridge, string sipCallId)
    {
        try
        {
            await using (bridge.ConfigureAwait(false))
            {
                await bridge.RunAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The bridge never throws for call-level failures; this is a bug, kept to this call.
            LogFailed(_logger, sipCallId, ex);
        }
        finally
        {
            _running.TryRemove(bridge, out _);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Ends every call still running (also those not yet registered, still being admitted or accepted) and waits, within
    /// the host's shutdown time, for their ends and journals.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        foreach (var bridge in _running.Keys)
        {
            _ = bridge.EndFromOutsideAsync(CallEndReason.GatewayShutdown, ShutdownText);
        }

        try
        {
            await Task.WhenAll(_running.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = EventIds.SipCallFailed, Level = LogLevel.Error, Message = "SIP call {SipCallId} failed unexpectedly")]
    private static partial void LogFailed(ILogger logger, string sipCallId, Exception exception);
}
