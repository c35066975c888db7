using System.Globalization;
using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Graceful drain of this node (docs/configuration.md, "Graceful drain"): what the first SIGTERM or Ctrl+C
/// (<see cref="GatewayLifetime"/>) and <c>POST /api/v1/admin/drain</c> start.
/// </summary>
/// <remarks>
/// The steps, in order (each is marked in the code):
/// <list type="number">
/// <item>(1) <see cref="Begin"/> marks the node draining (<see cref="DrainState"/>): from then on admission refuses every new
/// call (a carrier stream closes 1013, a session 4429) and the health endpoint answers 503 <c>draining</c>.</item>
/// <item>(2) Running calls go on until the last one ends or <c>Drain:TimeoutSeconds</c> passes.</item>
/// <item>(3) Then every call still live gets a goodbye at once and ends <c>shutdown</c>, bounded by <c>Limits:GoodbyeSeconds</c>
/// (plus the summary's time and a grace).</item>
/// <item>(4) A call still live past that bound is hung up (1001).</item>
/// <item>(5) The journal is flushed: every call's end is in the database.</item>
/// <item>(6) The application stops; the process exits with code 0.</item>
/// </list>
/// <see cref="StopNow"/> (a second signal) skips the rest: the application stops at once and its stopping hook hangs up
/// every live call with 1001 <c>gateway_shutdown</c>.
/// </remarks>
internal sealed partial class DrainCoordinator : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    // After a goodbye's own bound a call still closes its leg, hangs up at the carrier and writes its end.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    // A database that stays away must not keep the process alive for ever; the journal also writes what is left on dispose.
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    private readonly DrainState _state;
    private readonly CallRegistry _calls;
    private readonly ConcurrencySlots _slots;
    private readonly ICallJournal _journal;
    private readonly SwitchboardOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<DrainCoordinator> _logger;
    private int _stoppingNow;

    public DrainCoordinator(DrainState state, CallRegistry calls, ConcurrencySlots slots, ICallJournal journal, IOptions<SwitchboardOptions> options,
        IHostApplicationLifetime lifetime, TimeProvider time, ILogger<DrainCoordinator> logger)
    {
        _state = state;
        _calls = calls;
        _slots = slots;
        _journal = journal;
        _options = options.Value;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
    }

    /// <summary>When draining began (null while not draining).</summary>
    public DateTimeOffset? Since => _state.Since;

    /// <summary>How long running calls may go on once draining has begun (<c>Drain:TimeoutSeconds</c>).</summary>
    public int TimeoutSeconds => _options.Drain.TimeoutSeconds;

    /// <summary>
    /// Calls live on this node: those registered, and those admitted but not registered yet (their concurrency slot is
    /// taken before they register and freed only once their end is journalled).
    /// </summary>
    public int LiveCalls => Math.Max(_calls.Count, _slots.InUse(AdmissionGate.NodeKey));

    /// <summary>(1) Begins draining; false when the node was already draining. <paramref name="source"/> says who asked, for the log.</summary>
    public bool Begin(string source)
    {
        LogRequested(_logger, source);
        return _state.Begin(_time.GetUtcNow());
    }

    /// <summary>Stops the application at once (a second signal): the stopping hook hangs up every live call with 1001.</summary>
    public void StopNow(string source)
    {
        if (Interlocked.Exchange(ref _stoppingNow, 1) != 0)
        {
            return;
        }

        LogStopNow(_logger, source, LiveCalls);
        _lifetime.StopApplication();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _state.Started.WaitAsync(stoppingToken).ConfigureAwait(false);
            await DrainAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The application is stopping another way (a second signal, the host's own stop): nothing left to drain.
            return;
        }
        catch (Exception ex)
        {
            // A node that refuses every call must not stay up: stop, and the stopping hook hangs up what is left.
            LogFailed(_logger, ex);
        }

        // (6) Stop; GatewayApp.RunAsync then returns 0.
        _lifetime.StopApplication();
    }

    private async Task DrainAsync(CancellationToken token)
    {
        var started = _time.GetTimestamp();
        var timeout = TimeSpan.FromSeconds(_options.Drain.TimeoutSeconds);
        LogStarted(_logger, LiveCalls, _options.Drain.TimeoutSeconds);

        // (2) Calls end by themselves, or the timeout comes.
        if (!await WaitForNoCallsAsync(timeout, token).ConfigureAwait(false))
        {
            await SayGoodbyeToAllAsync(token).ConfigureAwait(false);
        }

        // (5) Every call's end is in the database before the process goes.
        using (var flush = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            flush.CancelAfter(FlushTimeout);
            try
            {
                await _journal.FlushAsync(flush.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                LogJournalSlow(_logger, (int)FlushTimeout.TotalSeconds);
            }
        }

        LogCompleted(_logger, _time.GetElapsedTime(started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
    }

    /// <summary>(3) and (4): a goodbye for every live call at once, then a hang-up for any still live past the bound.</summary>
    private async Task SayGoodbyeToAllAsync(CancellationToken token)
    {
        var goodbye = _options.Limits.GoodbyeSeconds;
        LogTimedOut(_logger, LiveCalls, goodbye);

        // The goodbye is bounded by GoodbyeSeconds; then the call may still write its summary (when asked for) and close.
        var bound = TimeSpan.FromSeconds(goodbye + _options.Artifacts.SummaryTimeoutSeconds) + Grace;
        var goodbyeStarted = _time.GetTimestamp();
        var asked = new HashSet<string>(StringComparer.Ordinal);
        while (LiveCalls > 0 && _time.GetElapsedTime(goodbyeStarted) < bound)
        {
            // Looked at again on every poll: a call admitted just before the drain began registers a moment later.
            foreach (var call in _calls.Snapshot())
            {
                if (asked.Add(call.CallId))
                {
                    _ = SayGoodbyeAsync(call);
                }
            }

            await Task.Delay(Poll, _time, token).ConfigureAwait(false);
        }

        if (_calls.Count > 0)
        {
            // (4) A goodbye that never ended (a stuck socket): end it now. A call already ending finishes on its own.
            LogHangingUp(_logger, _calls.Count);
            await _calls.HangUpAllAsync("gateway shutting down").WaitAsync(Grace, _time, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await WaitForNoCallsAsync(Grace, token).ConfigureAwait(false);
        }
    }

    private async Task SayGoodbyeAsync(ActiveCall call)
    {
        try
        {
            if (call.EndWithGoodbyeAsync is { } endWithGoodbye)
            {
                await endWithGoodbye(CallEndReason.Shutdown, "the gateway is shutting down", null).ConfigureAwait(false);
            }
            else
            {
                await call.HangUpAsync("gateway shutting down").ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The drain goes on for the other calls; this one is hung up when its bound passes.
            LogGoodbyeFailed(_logger, ex, call.CallId);
        }
    }

    /// <summary>True once no call is live; false when <paramref name="timeout"/> passed first.</summary>
    private async Task<bool> WaitForNoCallsAsync(TimeSpan timeout, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        while (LiveCalls > 0)
        {
            if (_time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(Poll, _time, token).ConfigureAwait(false);
        }

        return true;
    }

    [LoggerMessage(EventId = EventIds.DrainRequested, Level = LogLevel.Information, Message = "Drain requested by {Source}")]
    private static partial void LogRequested(ILogger logger, string source);

    [LoggerMessage(EventId = EventIds.DrainStarted, Level = LogLevel.Information,
        Message = "Draining: new calls are refused and health answers 503; {LiveCalls} calls live, waiting up to {TimeoutSeconds} s for them to end")]
    private static partial void LogStarted(ILogger logger, int liveCalls, int timeoutSeconds);

    [LoggerMessage(EventId = EventIds.DrainTimedOut, Level = LogLevel.Warning, Message = "Drain timeout: saying goodbye to {LiveCalls} calls (up to {GoodbyeSeconds} s)")]
    private static partial void LogTimedOut(ILogger logger, int liveCalls, int goodbyeSeconds);

    [LoggerMessage(EventId = EventIds.DrainHangingUp, Level = LogLevel.Warning, Message = "Drain: {LiveCalls} calls still live after their goodbye; hanging up")]
    private static partial void LogHangingUp(ILogger logger, int liveCalls);

    [LoggerMessage(EventId = EventIds.DrainJournalSlow, Level = LogLevel.Error,
        Message = "Drain: the journal did not finish writing within {Seconds} s (is the database reachable?); stopping anyway, the rest is written at exit if it can be")]
    private static partial void LogJournalSlow(ILogger logger, int seconds);

    [LoggerMessage(EventId = EventIds.DrainCompleted, Level = LogLevel.Information, Message = "Drained in {Seconds} s: every call has ended and is journalled; stopping")]
    private static partial void LogCompleted(ILogger logger, string seconds);

    [LoggerMessage(EventId = EventIds.DrainStopNow, Level = LogLevel.Warning, Message = "{Source}: stopping at once; {LiveCalls} live calls are hung up (1001)")]
    private static partial void LogStopNow(ILogger logger, string source, int liveCalls);

    [LoggerMessage(EventId = EventIds.DrainFailed, Level = LogLevel.Error, Message = "Drain failed; stopping at once")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.DrainGoodbyeFailed, Level = LogLevel.Error, Message = "Drain: the goodbye of call {CallId} failed")]
    private static partial void LogGoodbyeFailed(ILogger logger, Exception exception, string callId);
}
