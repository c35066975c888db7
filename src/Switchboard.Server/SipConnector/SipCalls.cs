using System.Collections.Concurrent;
using Switchboard.Calls;
using Switchboard.Diagnostics;
using Switchboard.SipConnector;

namespace Switchboard.Server.SipConnector;

/// <summary>
/// Runs SIP connector calls in the background: the webhook answers at once (the connector wants an answer within seconds)
/// while each call is admitted, accepted and steered by its own <see cref="CallBridge"/>. No request holds these calls, so
/// the host waits for them when it stops (the registry has already told each to end).
/// </summary>
internal sealed partial class SipCalls : IHostedService
{
    private readonly CallHost _host;
    private readonly ILogger<SipCalls> _logger;
    private readonly ConcurrentDictionary<Task, byte> _running = new();

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
        var run = Task.Run(() => RunAsync(leg));
        _running.TryAdd(run, 0);
        _ = run.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _), _running,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync(SipConnectorLeg leg)
    {
        try
        {
            await _host.RunAsync(leg, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The bridge never throws for call-level failures; this is a bug, kept to this call.
            LogFailed(_logger, leg.SipCallId, ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits (within the host's shutdown time) for the calls to finish their ends and journals.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = EventIds.SipCallFailed, Level = LogLevel.Error, Message = "SIP call {SipCallId} failed unexpectedly")]
    private static partial void LogFailed(ILogger logger, string sipCallId, Exception exception);
}
