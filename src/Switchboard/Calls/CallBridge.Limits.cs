using System.Globalization;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.Calls;

/// <summary>
/// (6) The call's limits, on every channel (docs/limits.md): the longest call, idle time, the call's cost budget and its
/// daily budgets, and a session's expiry. A limit first warns (the agent is told to wrap up, or asked to check the caller
/// is still there), then ends the call with a goodbye: the agent's running answer may finish, the agent says a short
/// goodbye, the caller hears it, and the call ends with the limit's reason. The whole goodbye is bounded
/// (<see cref="CallLimits.GoodbyeSeconds"/>), so a call is never billed past its limit plus that bound. Operators' hang-ups
/// and a drain's timeout end calls the same way.
/// </summary>
internal sealed partial class CallBridge
{
    private CallPermit? _permit;
    private CallLimits _limits = CallLimits.None;
    private readonly CallTokenTotals _tokens = new();

    // Idle: the last time either side spoke, typed or acted (a timestamp); the idle prompt's own response does not count.
    private long _lastActivity;
    private volatile bool _idleWarned;
    private volatile bool _idlePromptPending;
    private volatile string? _idlePromptResponse;
    private bool _callWarned;
    private bool _costWarned;
    private bool _budgetWarned;
    private int _goodbyeStarted;
    private long _goodbyeTimestamp;
    private TaskCompletionSource? _responseDoneSignal;

    /// <summary>Whether a limit's (or an operator's) goodbye is under way: no new turn starts.</summary>
    private bool SayingGoodbye => Volatile.Read(ref _goodbyeStarted) != 0;

    /// <summary>The call's estimated cost so far, in US dollars (null when its model has no price).</summary>
    private double? CostSoFar { get; set; }

    /// <summary>Either side did something: the idle clock starts again.</summary>
    private void NoteActivity()
    {
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        _idleWarned = false;
    }

    /// <summary>Backend loop: a response was created; the idle prompt's response is not activity.</summary>
    private void OnLimitResponseCreated(string responseId)
    {
        if (_idlePromptPending)
        {
            _idlePromptPending = false;
            _idlePromptResponse = responseId;
            return;
        }

        NoteActivity();
    }

    /// <summary>Backend loop: a response finished. Its usage counts toward the call's cost and its budgets at once.</summary>
    private void OnLimitResponseDone(string responseId, RealtimeUsage? usage)
    {
        if (!string.Equals(responseId, _idlePromptResponse, StringComparison.Ordinal))
        {
            NoteActivity();
        }

        SignalAnswerOver();
        if (usage is null)
        {
            return;
        }

        _tokens.Add(usage.InputTokens, usage.OutputTokens, usage.InputAudioTokens, usage.OutputAudioTokens, usage.TotalTokens);
        if (_tokens.Cost(_services.Pricing, _backendEndpoint?.Model) is not { } cost)
        {
            return;
        }

        CostSoFar = cost;
        _permit?.SetCost(cost);
        var max = _limits.MaxCallCostUsd;
        if (max <= 0)
        {
            return;
        }

        if (cost >= max)
        {
            StartGoodbye(CallEndReason.BudgetExhausted, $"the call's cost budget of ${max.ToString("0.####", CultureInfo.InvariantCulture)} is used up",
                "This call has reached its cost limit. Say one short, friendly goodbye now and end.");
        }
        else if (!_costWarned && cost >= max * _limits.CostWarningFraction && _limits.CostWarningFraction < 1)
        {
            _costWarned = true;
            Warn("cost_warning", "This call is close to its cost limit. Start wrapping up: finish the current point briefly.");
        }
    }

    /// <summary>A response or a turn is over: a goodbye waiting for the agent's running answer looks again.</summary>
    private void SignalAnswerOver() => Interlocked.Exchange(ref _responseDoneSignal, null)?.TrySetResult();

    /// <summary>(6) Watches the limits until the call ends: sleeps until the next deadline (at most a second while a daily budget runs).</summary>
    private async Task RunLimitsAsync()
    {
        var token = _cts.Token;
        var limits = _limits;
        var budgetTick = TimeSpan.FromSeconds(1);
        try
        {
            while (!token.IsCancellationRequested && EndReason is null && !SayingGoodbye)
            {
                var next = TimeSpan.FromHours(1);
                if (_leg.ExpiresAt is { } expires)
                {
                    var untilExpiry = expires - _time.GetUtcNow();
                    if (untilExpiry <= TimeSpan.Zero)
                    {
                        await EndAsync(CallEndReason.SessionExpired, "session expired", "session expired").ConfigureAwait(false);
                        return;
                    }

                    next = Min(next, untilExpiry);
                }

                var elapsed = _time.GetElapsedTime(_startedTimestamp);
                if (limits.MaxCallSeconds > 0)
                {
                    var untilCap = TimeSpan.FromSeconds(limits.MaxCallSeconds) - elapsed;
                    if (untilCap <= TimeSpan.Zero)
                    {
                        StartGoodbye(CallEndReason.MaxDuration, "maximum call duration reached",
                            "This call has reached its time limit. Say one short, friendly goodbye now and end.");
                        return;
                    }

                    next = Min(next, untilCap);
                    if (limits.CallWarningSeconds > 0 && !_callWarned)
                    {
                        var untilWarning = untilCap - TimeSpan.FromSeconds(limits.CallWarningSeconds);
                        if (untilWarning <= TimeSpan.Zero)
                        {
                            _callWarned = true;
                            Warn("call_warning", $"This call ends in about {Math.Ceiling(untilCap.TotalSeconds).ToString(CultureInfo.InvariantCulture)} seconds (its time limit). " +
                                "Start wrapping up: finish the current point briefly.");
                        }
                        else
                        {
                            next = Min(next, untilWarning);
                        }
                    }
                }

                if (limits.IdleWarningSeconds > 0 || limits.IdleTimeoutSeconds > 0)
                {
                    next = Min(next, CheckIdle(limits));
                    if (SayingGoodbye)
                    {
                        return;
                    }
                }

                if (limits.Budgets.Count > 0)
                {
                    if (CheckBudgets(limits))
                    {
                        return;
                    }

                    next = Min(next, budgetTick);
                }

                await Task.Delay(Max(next, TimeSpan.FromMilliseconds(10)), _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Warns or ends an idle call; returns how long until idle needs looking at again.</summary>
    private TimeSpan CheckIdle(CallLimits limits)
    {
        var busy = _responseActive || _userSpeaking || _turnActive || Volatile.Read(ref _control) is not null;
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (busy)
        {
            // Nobody is idle while someone speaks or a tool runs; look again soon after it ends.
            return TimeSpan.FromSeconds(1);
        }

        if (limits.IdleTimeoutSeconds > 0 && idle >= TimeSpan.FromSeconds(limits.IdleTimeoutSeconds))
        {
            StartGoodbye(CallEndReason.IdleTimeout, $"no speech for {limits.IdleTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s",
                "The caller has been silent for a long time. Say one short goodbye now, saying they are welcome to call again, and end.");
            return TimeSpan.Zero;
        }

        var next = limits.IdleTimeoutSeconds > 0 ? TimeSpan.FromSeconds(limits.IdleTimeoutSeconds) - idle : TimeSpan.FromHours(1);
        if (limits.IdleWarningSeconds > 0 && !_idleWarned)
        {
            var untilWarning = TimeSpan.FromSeconds(limits.IdleWarningSeconds) - idle;
            if (untilWarning <= TimeSpan.Zero)
            {
                _idleWarned = true;
                _ = PromptIdleAsync();
            }
            else
            {
                next = Min(next, untilWarning);
            }
        }

        return next;
    }

    /// <summary>Ends the call when a daily budget is used up (true), warns when one is nearly used up.</summary>
    private bool CheckBudgets(CallLimits limits)
    {
        foreach (var budget in limits.Budgets)
        {
            var (seconds, cost) = budget.Remaining();
            if (seconds <= 0 || cost <= 0)
            {
                var what = seconds <= 0 ? "call seconds" : "cost budget";
                StartGoodbye(CallEndReason.BudgetExhausted, $"the {budget.Owner}'s daily {what} are used up",
                    "This service has reached its usage limit for today. Say one short, friendly goodbye now and end.");
                return true;
            }

            var lowSeconds = limits.CallWarningSeconds > 0 && seconds <= limits.CallWarningSeconds;
            var lowCost = budget.MaxDailyCostUsd > 0 && limits.CostWarningFraction < 1 && cost <= budget.MaxDailyCostUsd * (1 - limits.CostWarningFraction);
            if (!_budgetWarned && (lowSeconds || lowCost))
            {
                _budgetWarned = true;
                Warn("budget_warning", "This service is about to reach its usage limit for today. Start wrapping up: finish the current point briefly.");
            }
        }

        return false;
    }

    /// <summary>Tells the agent to wrap up (a system message it reads with its next answer) and journals the warning.</summary>
    private void Warn(string kind, string message)
    {
        CallLog.LimitWarning(_logger, CallId, kind);
        Record(CallEventType.LimitWarning, reason: kind, text: message);
        if (_backend is not null)
        {
            _ = SendQuietlyAsync(w => RealtimeClientEvents.WriteSystemText(w, message));
        }
    }

    /// <summary>The caller has gone quiet: the agent asks, once per silence, whether they are still there.</summary>
    private async Task PromptIdleAsync()
    {
        CallLog.LimitWarning(_logger, CallId, "idle_warning");
        Record(CallEventType.LimitWarning, reason: "idle_warning");
        if (_backend is null || SayingGoodbye || !CanAnswer)
        {
            return;
        }

        _idlePromptPending = true;
        await SendQuietlyAsync(w => RealtimeClientEvents.WriteResponseCreate(w,
            "The caller has been silent for a while. Ask briefly, in one short sentence, whether they are still there.")).ConfigureAwait(false);
    }

    /// <summary>Whether the agent can say something the caller will hear or see.</summary>
    private bool CanAnswer => _capabilities.HasFlag(CallerLegCapabilities.AgentAudio) || _capabilities.HasFlag(CallerLegCapabilities.ShowsText);

    private async Task SendQuietlyAsync(Action<System.Buffers.IBufferWriter<byte>> write)
    {
        try
        {
            await SendToBackendAsync(write, _cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException)
        {
            // The call is ending; the loops report why.
        }
    }

    /// <summary>Starts a goodbye in the background (a loop must not wait for it).</summary>
    private void StartGoodbye(string endReason, string detail, string instructions) => _ = SayGoodbyeAndEndAsync(endReason, detail, instructions);

    /// <summary>
    /// Ends the call for <paramref name="endReason"/> after a goodbye (limits, an operator's hang-up, a drain's timeout).
    /// <paramref name="say"/> is what the agent is asked to say (null: a goodbye of its own words). Returns once the call
    /// has been ended; false when it was already ending.
    /// </summary>
    public Task<bool> EndWithGoodbyeAsync(string endReason, string detail, string? say) =>
        SayGoodbyeAndEndAsync(endReason, detail, say is null
            ? "This call is ending now. Say one short, friendly goodbye and end."
            : $"This call is ending now. Say exactly: \"{say}\"");

    private async Task<bool> SayGoodbyeAndEndAsync(string endReason, string detail, string instructions)
    {
        if (EndReason is not null || Interlocked.Exchange(ref _goodbyeStarted, 1) != 0)
        {
            return false;
        }

        _goodbyeTimestamp = _time.GetTimestamp();
        CallLog.LimitReached(_logger, CallId, endReason, detail);
        Record(CallEventType.LimitWarning, reason: "goodbye", text: instructions, detail: detail, data: new Dictionary<string, string>(StringComparer.Ordinal) { ["end_reason"] = endReason });
        var token = _cts.Token;
        PendingControl? armed;
        lock (_controlGate)
        {
            // An end or transfer the agent armed already says its own words; nothing new is armed from now on.
            armed = _control;
            _controlFinal = true;
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(_limits.GoodbyeSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(bound.Token, token);
        try
        {
            if (_backend is not null && CanAnswer)
            {
                // The agent's running answer (or tool turn) finishes first, within the bound.
                while (armed is null && (_responseActive || _turnActive))
                {
                    var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref _responseDoneSignal, signal);
                    if (!_responseActive && !_turnActive)
                    {
                        break;
                    }

                    await signal.Task.WaitAsync(linked.Token).ConfigureAwait(false);
                }

                var control = armed;
                if (control is null)
                {
                    control = new PendingControl(isEnd: true, toolCallId: "", target: null, reason: detail) { Started = true, AwaitingResponse = true };
                    lock (_controlGate)
                    {
                        _control = control;
                    }

                    await SendToBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w, instructions), linked.Token).ConfigureAwait(false);
                }

                await control.ResponseDone.Task.WaitAsync(linked.Token).ConfigureAwait(false);
                var left = TimeSpan.FromSeconds(_limits.GoodbyeSeconds) - _time.GetElapsedTime(_goodbyeTimestamp);
                await WaitForPlayoutAsync(Max(left, TimeSpan.Zero), linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !token.IsCancellationRequested)
        {
            // The goodbye ran out of time: the call ends now anyway, never later than the bound.
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException or TimeoutException)
        {
            // A socket went away mid-goodbye; end with the limit's reason if nothing else has.
        }

        return await EndForAsync(endReason, detail, detail, token).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the call for <paramref name="endReason"/> once its goodbye has been heard: hangs up at the carrier when the leg
    /// has one, then closes the leg with <paramref name="closeText"/>. False when the call was already ending.
    /// </summary>
    private async Task<bool> EndForAsync(string endReason, string detail, string closeText, CancellationToken token)
    {
        lock (_controlGate)
        {
            _controlFinal = true;
        }

        // Claim the end reason first: the carrier may answer the hang-up with its own stop.
        if (!End(endReason, detail))
        {
            return false;
        }

        var outcome = await _leg.HangUpAsync(token).ConfigureAwait(false);
        CallLog.EndedAfterGoodbye(_logger, CallId, endReason, outcome ?? "closed");
        if (outcome is not null)
        {
            _endDetail = $"{detail} (carrier hang-up: {outcome})";
        }

        var (code, text) = _leg.CloseFor(endReason, closeText);
        await _leg.CloseAsync(code, text).ConfigureAwait(false);
        CancelSoon(TimeSpan.FromSeconds(1));
        return true;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
