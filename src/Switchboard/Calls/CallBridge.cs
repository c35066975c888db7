using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Telemetry;
using Switchboard.Transport;

namespace Switchboard.Calls;

/// <summary>
/// One call, whatever the channel: a caller leg (<see cref="ICallerLeg"/>: a carrier media stream, a browser session)
/// and the agent leg (a GA realtime session). Owns what the call means: audio both ways (passed through undecoded when
/// both sides speak the same format), barge-in at what the caller actually heard, typed turns, tool calls, armed end and
/// transfer, the call's limits, and the journal.
/// </summary>
/// <remarks>
/// The steps of a call, in order (each is marked in the code):
/// <list type="number">
/// <item>(1) The leg begins: a carrier's <c>start</c> frame, or a session's admitted socket (<see cref="ICallerLeg.StartAsync"/>).</item>
/// <item>(2) Admission (<see cref="CallAdmission"/>): the endpoint, the backend from its spec, its remote configuration. A leg
/// whose media the backend holds (<see cref="IRemoteMediaLeg"/>, the SIP connector) then answers the call with the agent's
/// session and names the agent leg (the call's sideband).</item>
/// <item>(3) The call is registered and journalled (<c>CallStarted</c>), and the leg greets its side.</item>
/// <item>(4) The agent leg connects and is configured from the spec and the leg's capabilities; the greeting is asked for.</item>
/// <item>(5) The backend loop starts (<c>CallBridge.Backend.cs</c>): agent audio to the leg, barge-in, transcripts, tool turns.</item>
/// <item>(6) The limits start (<c>CallBridge.Limits.cs</c>): the longest call, idle time, cost and daily budgets, the leg's own expiry.</item>
/// <item>(7) The caller loop runs until the caller leaves: audio and typed turns to the agent, DTMF, client interrupts.</item>
/// <item>(8) The end: the summary (when asked for), the agent turn the caller was cut off in, <c>CallEnded</c>, both legs closed.</item>
/// </list>
/// Two loops run per call, the caller loop and the backend loop. Each owns its output buffer; the sockets serialize
/// sends. The first reason to end wins; nothing here throws into another call.
/// </remarks>
internal sealed partial class CallBridge : IAsyncDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SwitchboardOptions _options;
    private readonly CallServices _services;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ICallerLeg _leg;
    private readonly GatewayTelemetry _telemetry;

    /// <summary>The leg when the backend holds its media (the SIP connector); null for legs that carry the audio.</summary>
    private readonly IRemoteMediaLeg? _remoteLeg;

    /// <summary>What the caller has heard when the backend holds the media (no marks: the backend's events and estimates).</summary>
    private readonly RemotePlayout? _remotePlayout;
    private readonly CancellationTokenSource _cts;
    private readonly CancellationTokenRegistration _abortRegistration;

    // Sized for one media message (an append or a 100 ms chunk); they grow if a codec needs more.
    // One-off large messages (session.update) use their own writer so these stay small for the whole call.
    private readonly PooledBufferWriter _callerLoopOut = new(2048);
    private readonly PooledBufferWriter _backendLoopOut = new(2048);
    private readonly long _startedTimestamp;
    private readonly DateTimeOffset _startedAt;
    private long _eventSequence;
    private string? _endReason;
    private string? _endDetail;
    private bool _refused;

    private CallStartInfo? _start;
    private ResolvedAgent? _agent;
    private Admission? _admission;
    private RealtimeEndpoint? _backendEndpoint;
    private RealtimeConnection? _backend;
    private ToolRunner? _toolRunner;
    private CallerLegCapabilities _capabilities;

    /// <summary>The call's listeners; nobody listening costs the frame path one read.</summary>
    private readonly CallTap _tap = new();

    /// <summary>The call's spans and engine-only metrics (set when the call runs).</summary>
    private CallTrace? _trace;

    public CallBridge(ICallerLeg leg, CallServices services, CancellationToken aborted)
    {
        _leg = leg;
        _remoteLeg = leg as IRemoteMediaLeg;
        _services = services;
        _options = services.Options;
        _logger = services.Logger;
        _time = services.Time;
        _telemetry = services.Telemetry ?? GatewayTelemetry.Default;
        _cts = new CancellationTokenSource();
        // The caller's connection went away under us (not a close frame): the caller is gone, not the gateway.
        _abortRegistration = aborted.UnsafeRegister(static state => ((CallBridge)state!).Abort(), this);
        _remotePlayout = _remoteLeg is null ? null : new RemotePlayout(_time);
        _startedTimestamp = _time.GetTimestamp();
        _startedAt = _time.GetUtcNow();
        CallId = "call_" + Guid.NewGuid().ToString("N");
    }

    public string CallId { get; }

    /// <summary>
    /// The trace the call continues instead of the current activity's (a session's creation request); the current one is
    /// then linked. Set before <see cref="RunAsync"/>.
    /// </summary>
    public System.Diagnostics.ActivityContext? TraceParent { get; set; }

    /// <summary>Why the call ended, once it has.</summary>
    public string? EndReason => Volatile.Read(ref _endReason);

    /// <summary>Runs the call to its end. Never throws for call-level failures.</summary>
    public async Task RunAsync()
    {
        // The call span, current from here on: the loops, tools and webhooks-to-be of the call belong to its trace.
        _trace = CallTrace.Start(_telemetry, _time, CallId, _leg.Channel, TraceParent);
        Task? backendLoop = null;
        try
        {
            backendLoop = await BeginAsync().ConfigureAwait(false);
            if (backendLoop is not null)
            {
                // (7) The caller loop.
                await RunCallerLoopAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            End(_leg.LostEndReason, "connection aborted");
        }
        catch (Exception ex)
        {
            CallLog.UnexpectedFailure(_logger, CallId, ex);
            await EndAsync(CallEndReason.InternalError, ex.GetType().Name, "internal error").ConfigureAwait(false);
        }
        finally
        {
            // (8) The end.
            RecordCutOffTurn();
            await SummarizeBeforeCloseAsync().ConfigureAwait(false);
            // Say goodbye to the backend with a close frame before the loops are cancelled (a cancelled read aborts the socket).
            if (_backend is not null)
            {
                await _backend.CloseAsync(EndReason ?? "call ended").ConfigureAwait(false);
            }

            await _cts.CancelAsync().ConfigureAwait(false);
            if (backendLoop is not null)
            {
                await backendLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await FinishAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Steps (1)–(6); returns the backend loop, or null when the call never got that far (the leg is closed).</summary>
    private async Task<Task?> BeginAsync()
    {
        var token = _cts.Token;

        // (1) The leg begins.
        var begun = await _leg.StartAsync(CallId, token).ConfigureAwait(false);
        if (begun.Info is not { } start)
        {
            if (begun.EndReason is CallEndReason.CarrierProtocolError or CallEndReason.StartTimeout)
            {
                CallLog.CarrierProtocolViolation(_logger, CallId, begun.CloseCode, begun.Detail ?? "");
            }

            End(begun.EndReason ?? _leg.LostEndReason, begun.Detail);
            return null;
        }

        _start = start;
        _capabilities = _leg.Capabilities;

        // (2) Admission.
        var admission = await _services.Admission.AdmitAsync(_leg.Channel, start, token).ConfigureAwait(false);
        switch (admission.Status)
        {
            case AdmissionStatus.Refused:
                await RefuseAsync(admission).ConfigureAwait(false);
                return null;
            case AdmissionStatus.LookupFailed:
                CallLog.AdmissionFailed(_logger, CallId, admission.Detail);
                await EndAsync(CallEndReason.InternalError, admission.Detail, "endpoint lookup failed").ConfigureAwait(false);
                return null;
        }

        _admission = admission;
        _permit = admission.Permit;
        _limits = _permit?.Limits ?? CallLimits.None;
        _lastActivity = _time.GetTimestamp();
        var agent = _agent = admission.Agent!;
        var spec = agent.Spec;
        _backendEndpoint = admission.Backend;
        PrepareFallback(admission);
        var tools = BuiltInTools.Effective(spec);
        _toolRunner = new ToolRunner(tools, new BridgeToolInvoker(this, _services.Tools), _time, _logger,
            new ToolCallContext(agent.TeamId, agent.EndpointId, _leg.Channel, start.From));
        PrepareAudio(spec);

        // (2) A leg whose media the backend holds answers the call with the agent's session now (before the agent leg can
        // attach) and names the agent leg, which replaces the backend admission chose from the spec.
        RemoteAnswer? answer = null;
        if (_remoteLeg is not null)
        {
            answer = await _remoteLeg.AnswerAsync(SessionSettings(spec, tools), token).ConfigureAwait(false);
            if (answer.AgentLeg is { } agentLeg)
            {
                _backendEndpoint = agentLeg;
            }
        }

        // (3) Registered and journalled.
        _tap.CarriesAudio = _remoteLeg is null && (_capabilities & (CallerLegCapabilities.CallerAudio | CallerLegCapabilities.AgentAudio)) != 0;
        _services.Registry.Add(new ActiveCall(CallId, _leg.Channel, start.CarrierCallId ?? start.SessionId?.ToString("D"), _startedAt, HangUpAsync)
        {
            TeamId = agent.TeamId,
            EndpointId = agent.EndpointId,
            EndpointName = agent.EndpointName,
            AccountId = start.AccountId,
            EndWithGoodbyeAsync = EndWithGoodbyeAsync,
            Tap = _tap,
        });
        if (!string.IsNullOrEmpty(start.StreamId))
        {
            _services.Registry.RememberStream(start.StreamId, CallId);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CallEventKeys.Carrier] = _leg.Channel,
            [CallEventKeys.TeamId] = agent.TeamId.ToString("D"),
            [CallEventKeys.EndpointId] = agent.EndpointId.ToString("D"),
            ["endpoint"] = agent.EndpointName,
            ["backend"] = _backendEndpoint?.Kind ?? "(none)",
            [CallEventKeys.NodeId] = _services.Options.Node.Id,
        };
        _leg.DescribeStart(data);
        if (CallMetadata.FromParameters(start.Parameters) is { } metadata)
        {
            data[CallEventKeys.Metadata] = metadata;
        }
        if (_remoteLeg is null && (_capabilities.HasFlag(CallerLegCapabilities.AgentAudio) || _capabilities.HasFlag(CallerLegCapabilities.CallerAudio)))
        {
            data["backend_format"] = _backendFormat.ToString();
        }

        if (admission.Flow is { } flow)
        {
            data["flow"] = flow.Name;
        }

        PrepareArtifact(data, spec);
        Record(CallEventType.CallStarted, data: data);
        NoteFailoverAtAdmission(admission);
        CallMilestones.Start(_logger, CallMilestones.StartName(_leg.Channel), CallId, start.StreamId, start.CarrierCallId ?? start.SessionId?.ToString("D"), agent.EndpointId);
        await _leg.OnAdmittedAsync(token).ConfigureAwait(false);

        if (answer is { Result.Succeeded: false })
        {
            await AnswerFailedAsync(answer.Result).ConfigureAwait(false);
            return null;
        }

        if (admission.Status == AdmissionStatus.BackendUnavailable && _remoteLeg is null)
        {
            CallLog.BackendUnavailable(_logger, CallId, spec.Backend, admission.Detail);
            await BackendFailedAsync(CallerErrorCodes.BackendUnavailable, admission.Detail, CallEndReason.BackendUnavailable, admission.Detail, token).ConfigureAwait(false);
            return null;
        }

        // (4) The agent leg.
        var connectStarted = _time.GetTimestamp();
        var attempts = 0;
        while (true)
        {
            var attemptStarted = _time.GetTimestamp();
            var connect = _trace!.StartConnect(_backendEndpoint!);
            attempts++;
            try
            {
                _backend = await _services.Connector.ConnectAsync(_backendEndpoint!, token).ConfigureAwait(false);
                _trace.Connected(connect, _backendEndpoint!, attemptStarted, null);
                CallMilestones.BackendConnect(_logger, CallId, _backendEndpoint!.Kind, (long)_time.GetElapsedTime(attemptStarted).TotalMilliseconds);
                break;
            }
            catch (Exception ex) when (!token.IsCancellationRequested
                && ex is WebSocketException or IOException or OperationCanceledException or InvalidOperationException or HttpRequestException)
            {
                _trace.Connected(connect, _backendEndpoint!, attemptStarted, ex.GetType().Name);
                CallLog.BackendUnavailable(_logger, CallId, _backendEndpoint!.Describe(), ex.Message);
                // Nothing was said yet, so nothing to replay: the fallback gets the same session.update below.
                if (SwitchToFallback(ex.Message))
                {
                    continue;
                }

                await BackendFailedAsync(CallerErrorCodes.BackendUnavailable, "the agent backend could not be reached", CallEndReason.BackendUnavailable, ex.Message, token).ConfigureAwait(false);
                return null;
            }
        }

        if (_failedOverFrom is not null && attempts > 1)
        {
            RecordFailover("the primary backend could not be reached at the start", (long)_time.GetElapsedTime(connectStarted).TotalMilliseconds, attempts - 1, 0);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            CallLog.CallStarted(_logger, CallId, _leg.Channel, start.CarrierCallId ?? start.SessionId?.ToString("D"), start.StreamId, _leg.Format.ToString(),
                _backendEndpoint!.Describe(), _backendFormat.ToString());
        }

        _sessionStartedTimestamp = _time.GetTimestamp();
        await ConfigureBackendAsync(spec, tools, token).ConfigureAwait(false);

        // (5) The backend loop, (6) the limits and the session's age.
        var backendLoop = Task.Run(RunBackendLoopAsync, CancellationToken.None);
        _ = RunLimitsAsync();
        _ = RunSessionRecycleAsync();
        return backendLoop;
    }

    /// <summary>(7) Reads caller messages until the caller leaves or the call ends.</summary>
    private async Task RunCallerLoopAsync()
    {
        var token = _cts.Token;
        while (true)
        {
            ReceiveStatus status;
            try
            {
                status = await _leg.ReceiveAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted)
            {
                // The WebSocket refused a frame (RFC 6455: a continuation first, invalid UTF-8 in a text message, a bad
                // header) and has already sent its close code (1002, 1007); the host lets the close reach the peer.
                End(CallEndReason.CarrierProtocolError, "WebSocket protocol violation: " + ex.Message);
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                // The caller vanished without a close frame, or never answered ours.
                End(_leg.LostEndReason, "connection lost");
                return;
            }

            var receivedAt = _time.GetTimestamp();
            var action = ReadCallerFrame(status, out var closeCode, out var closeReason);
            switch (action)
            {
                case CallerAction.None:
                    break;
                case CallerAction.Pending:
                    await _leg.RunPendingAsync(token).ConfigureAwait(false);
                    break;
                case CallerAction.SendToBackend:
                    if (_reconnecting)
                    {
                        // The backend session is being regained: audio of the gap is dropped (a new session must hear the
                        // replay first, and stale speech would start a turn the caller has moved on from).
                        Interlocked.Increment(ref _gapFrames);
                        break;
                    }

                    var appended = await _backend!.SendAsync(_callerLoopOut.WrittenMemory, token).ConfigureAwait(false);
                    // A waiting call holds no append buffer; the next frame rents again (from the pool's per-thread cache).
                    _callerLoopOut.Release();
                    if (!appended && !token.IsCancellationRequested)
                    {
                        // The socket broke under this frame: it is lost to the gap. The backend loop notices the broken
                        // socket and regains a session, or ends the call with the reason.
                        Interlocked.Increment(ref _gapFrames);
                        if (!CanReconnect)
                        {
                            await Task.Delay(TimeSpan.FromSeconds(1), _time, token).ConfigureAwait(false);
                        }
                    }

                    var inTicks = _time.GetTimestamp() - receivedAt;
                    _inFrames++;
                    _inTotalTicks += inTicks;
                    _inMaxTicks = Math.Max(_inMaxTicks, inTicks);
                    break;
                case CallerAction.Text:
                    NoteActivity();
                    await OnUserTextAsync(_pendingText!, token).ConfigureAwait(false);
                    _pendingText = null;
                    break;
                case CallerAction.Interrupt:
                    NoteActivity();
                    await BargeInAsync("client", _pendingInterrupt.ItemId, _pendingInterrupt.PlayedMs, onBackendLoop: false, token).ConfigureAwait(false);
                    break;
                case CallerAction.End:
                    await _leg.CloseAsync(closeCode, closeReason!).ConfigureAwait(false);
                    if (status == ReceiveStatus.Closed)
                    {
                        return;
                    }

                    // The caller broke the protocol or asked to stop, and the gateway's close is sent first: read on (and
                    // discard) until the caller's close answers it, at most CloseGrace, as for a call ended from outside.
                    // The connection then ends with both close frames and nothing left unread, so with a FIN, not a reset.
                    CancelSoon(CloseGrace);
                    break;
            }
        }
    }

    /// <summary>Reads one caller frame synchronously (spans cannot cross an await) and says what to do next.</summary>
    private CallerAction ReadCallerFrame(ReceiveStatus status, out int closeCode, out string? closeReason)
    {
        closeCode = 0;
        closeReason = null;
        if (status != ReceiveStatus.Closed && Volatile.Read(ref _endReason) is not null)
        {
            // Closing: only the caller's close frame matters now (what comes before it, even a broken message, is discarded).
            return CallerAction.None;
        }

        var kind = _leg.TryReadFrame(status, out var frame);
        if (kind == CallerFrameKind.End)
        {
            if (frame.EndReason is CallEndReason.CarrierProtocolError or CallEndReason.StartTimeout)
            {
                CallLog.CarrierProtocolViolation(_logger, CallId, frame.CloseCode, frame.CloseReason ?? "");
            }

            End(frame.EndReason ?? CallEndReason.CarrierClosed, frame.Detail ?? frame.CloseReason);
            closeCode = frame.CloseCode;
            closeReason = frame.CloseReason ?? "";
            return CallerAction.End;
        }

        switch (kind)
        {
            case CallerFrameKind.Pending:
                return CallerAction.Pending;
            case CallerFrameKind.Audio:
                if (WriteAppend(ref frame))
                {
                    return CallerAction.SendToBackend;
                }

                closeCode = (int)WebSocketCloseStatus.InvalidPayloadData;
                closeReason = "media payload is not valid base64";
                CallLog.CarrierProtocolViolation(_logger, CallId, closeCode, closeReason);
                End(CallEndReason.CarrierProtocolError, closeReason);
                return CallerAction.End;
            case CallerFrameKind.Error:
                CallLog.CarrierError(_logger, CallId, frame.Detail);
                Record(CallEventType.BackendError, reason: "carrier_error", detail: frame.Detail);
                return CallerAction.None;
            case CallerFrameKind.Dtmf:
                NoteActivity();
                Record(CallEventType.Dtmf, digit: System.Text.Encoding.UTF8.GetString(frame.Digit));
                return CallerAction.None;
            case CallerFrameKind.Text:
                _pendingText = frame.Text;
                return CallerAction.Text;
            case CallerFrameKind.Interrupt:
                _pendingInterrupt = (frame.ItemId, frame.PlayedMs);
                return CallerAction.Interrupt;
            default:
                return CallerAction.None;
        }
    }

    /// <summary>
    /// A call its admission refused (an unknown endpoint, a full cap, a used-up budget, a draining node): journalled as a
    /// refused call (its own record, no start or end), and the leg closed with its refusal (a carrier's 1013, a session's 4429).
    /// </summary>
    private async Task RefuseAsync(Admission admission)
    {
        var refusal = admission.Refusal!;
        _refused = true;
        if (refusal.Reason == Refusals.EndpointRejected)
        {
            CallLog.AdmissionRefused(_logger, CallId, _leg.Channel, admission.Detail);
        }
        else
        {
            CallLog.AdmissionLimited(_logger, CallId, _leg.Channel, refusal.Reason, admission.Detail);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [CallEventKeys.Carrier] = _leg.Channel };
        _leg.DescribeStart(data);
        var refused = CallAdmission.Refused(CallId, Interlocked.Increment(ref _eventSequence), _time.GetUtcNow(), admission, data);
        _trace?.OnEvent(refused);
        _services.Journal.Append(refused);
        var closeAs = refusal.Reason == Refusals.EndpointRejected ? CallEndReason.EndpointRejected : CallEndReason.Refused;
        var text = refusal.Reason == Refusals.EndpointRejected ? admission.Detail : $"{refusal.Reason}: {admission.Detail}";
        if (End(refusal.Reason == Refusals.EndpointRejected ? CallEndReason.EndpointRejected : refusal.Reason, admission.Detail))
        {
            var (code, reason) = _leg.CloseFor(closeAs, text);
            await _leg.CloseAsync(code, reason).ConfigureAwait(false);
            CancelSoon(CloseGrace);
        }
    }

    /// <summary>
    /// The leg could not answer its call (the SIP connector's accept failed): a caller who hung up first (accept 404) ends
    /// the call as their hang-up; any other failure as the backend being unavailable (the leg then declines the call).
    /// </summary>
    private Task AnswerFailedAsync(CallControlResult result)
    {
        CallLog.AnswerFailed(_logger, CallId, Describe(result.Status), result.Detail);
        return result.Status == CallControlStatus.AlreadyEnded
            ? EndAsync(CallEndReason.CallerHangup, "the caller hung up before the call was answered: " + result.Detail, "caller hung up")
            : EndAsync(CallEndReason.BackendUnavailable, "the call could not be answered: " + result.Detail, "agent backend unavailable");
    }

    /// <summary>Ends the call from outside (gateway shutdown, an operator): 1001 with the reason, then the loops stop.</summary>
    private Task HangUpAsync(string reason) => EndAsync(CallEndReason.GatewayShutdown, reason, reason);

    /// <summary>Ends the call from outside for <paramref name="endReason"/> (a host's supersede, an operator's hang-up).</summary>
    public Task EndFromOutsideAsync(string endReason, string text) => EndAsync(endReason, text, text);

    /// <summary>
    /// Ends the call once (the first reason wins): closes the leg with its code for the reason, then gives the caller
    /// <see cref="CloseGrace"/> to answer before both loops are cancelled.
    /// </summary>
    private async Task EndAsync(string endReason, string? detail, string closeText)
    {
        if (!End(endReason, detail))
        {
            return;
        }

        var (code, reason) = _leg.CloseFor(endReason, closeText);
        await _leg.CloseAsync(code, reason).ConfigureAwait(false);
        CancelSoon(CloseGrace);
    }

    /// <summary>The backend failed: tell the caller's side why (where it shows errors), then close (1011).</summary>
    private async Task BackendFailedAsync(string code, string message, string endReason, string? detail, CancellationToken token)
    {
        await _leg.ShowErrorAsync(code, message, null, token).ConfigureAwait(false);
        var text = endReason == CallEndReason.BackendUnavailable ? "agent backend unavailable" : "agent backend disconnected";
        await EndAsync(endReason, detail ?? message, text).ConfigureAwait(false);
    }

    private void CancelSoon(TimeSpan delay)
    {
        try
        {
            _cts.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    private void Abort()
    {
        End(_leg.LostEndReason, "connection aborted");
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Records why the call ends; the first reason wins. True when this one did.</summary>
    private bool End(string reason, string? detail)
    {
        if (Interlocked.CompareExchange(ref _endReason, reason, null) is null)
        {
            _endDetail = detail;
            return true;
        }

        return false;
    }

    /// <summary>Milliseconds since the call began, for milestones.</summary>
    private long SinceStartMs => (long)_time.GetElapsedTime(_startedTimestamp).TotalMilliseconds;

    private async Task FinishAsync()
    {
        var durationMs = (long)_time.GetElapsedTime(_startedTimestamp).TotalMilliseconds;
        var reason = EndReason ?? _leg.LostEndReason;
        if (_start is not null && !_refused)
        {
            var data = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [CallEventKeys.DurationMs] = durationMs.ToString(CultureInfo.InvariantCulture),
            };
            if (CostSoFar is { } cost)
            {
                data[CallEventKeys.CostUsd] = cost.ToString("0.######", CultureInfo.InvariantCulture);
            }

            Record(CallEventType.CallEnded, reason: reason, detail: _endDetail, data: data);
            CallLog.CallEnded(_logger, CallId, reason, durationMs, _endDetail);
            CallMilestones.End(_logger, CallId, reason, durationMs);
        }

        _trace?.End(reason, durationMs);

        // After CallEnded is journalled: a listener has every transcript event before it hears the call is over.
        _tap.Close(reason);

        // The call's seconds and cost are booked in its budgets and its slots freed (also done, once, on dispose).
        _permit?.Close();
        _services.Registry.Remove(CallId);
        if (Interlocked.Exchange(ref _backend, null) is { } backend)
        {
            await backend.DisposeAsync().ConfigureAwait(false);
        }

        await _leg.CloseAsync((int)WebSocketCloseStatus.NormalClosure, "call ended").ConfigureAwait(false);
    }

    private void Record(CallEventType type, string? role = null, string? text = null, string? itemId = null, bool? interrupted = null,
        long? heardMs = null, long? generatedMs = null, string? digit = null, string? reason = null, string? detail = null,
        IReadOnlyDictionary<string, string>? data = null)
    {
        var callEvent = new CallEvent
        {
            CallId = CallId,
            Sequence = Interlocked.Increment(ref _eventSequence),
            At = _time.GetUtcNow(),
            Type = type,
            Role = role,
            Text = text,
            ItemId = itemId,
            Interrupted = interrupted,
            HeardMs = heardMs,
            GeneratedMs = generatedMs,
            Digit = digit,
            Reason = reason,
            Detail = detail,
            Data = data,
        };
        _trace?.OnEvent(callEvent);
        _services.Journal.Append(callEvent);
        RememberForReplay(callEvent);
    }

    private static void AddIfSet(Dictionary<string, string> data, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            data[key] = value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Never leak a slot, whatever happened to the call; never leave a listener waiting.
        _permit?.Dispose();
        _tap.Close(EndReason ?? _leg.LostEndReason);
        await _abortRegistration.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _backend, null) is { } backend)
        {
            await backend.DisposeAsync().ConfigureAwait(false);
        }

        await _leg.DisposeAsync().ConfigureAwait(false);
        _cts.Dispose();
    }

    private enum CallerAction
    {
        None,
        Pending,
        SendToBackend,
        Text,
        Interrupt,
        End,
    }
}
