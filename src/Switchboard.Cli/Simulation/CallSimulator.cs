using System.Globalization;
using System.Net.WebSockets;
using Switchboard.Audio;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// Plays one phone call against a gateway as Twilio or Telnyx would: sends <c>connected</c>, <c>start</c>, a 20 ms
/// <c>media</c> frame every 20 ms of call time (speech where the caller talks, codec silence elsewhere), DTMF, then
/// <c>stop</c> and a normal close; meanwhile plays the agent's audio through an emulated carrier playout buffer,
/// echoing marks when their audio has played and honouring <c>clear</c>. Call time runs at
/// <see cref="SimulationOptions.Speed"/> × wall time.
/// </summary>
internal sealed class CallSimulator : IDisposable
{
    private readonly SimulationOptions _options;
    private readonly StreamFormat _format;
    private readonly SimulationClock _clock;
    private readonly TimelineRecorder _timeline;
    private readonly PlayoutEmulator _playout;

    // Serialises everything that touches playout state and sends mark echoes, so echoes leave in order.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _playoutChanged = new(0, int.MaxValue);
    private readonly List<ReceivedMediaFrame> _received = [];
    private readonly List<ClearRecord> _clears = [];
    private readonly List<ProtocolViolation> _violations = [];
    private CallerTrack _track = null!;
    private double _staleUntilMs = double.NegativeInfinity;
    private bool _staleReportedSinceClear;
    private double? _firstReceivedMs;
    private volatile bool _callEnded;
    private int _dtmfSent;

    private CallSimulator(SimulationOptions options)
    {
        _options = options;
        _format = options.Format;
        _clock = new SimulationClock(options.Speed);
        _timeline = new TimelineRecorder(options.OnTimeline);
        _playout = new PlayoutEmulator(_format.SampleRate, options.PlayoutDelayMs, _timeline.Add, options.TurnGapMs);
    }

    /// <summary>Runs a whole call and reports what happened.</summary>
    /// <exception cref="SimulationException">The options are invalid or the gateway cannot be reached.</exception>
    public static async Task<SimulationResult> RunAsync(SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new SimulationException(string.Join("; ", errors));
        }

        // Run off the caller's synchronization context (test frameworks install throttled ones) so frame
        // pacing never waits behind someone else's work.
        using var simulator = new CallSimulator(options);
        return await Task.Run(() => simulator.RunAsync(cancellationToken), CancellationToken.None);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Dispose();
        _playoutChanged.Dispose();
    }

    private async Task<SimulationResult> RunAsync(CancellationToken cancellationToken)
    {
        var rate = _format.SampleRate;
        var caller = _options.CallerAudio is null ? SimulationAudio.TestSpeech(rate) : SimulationAudio.Resample(_options.CallerAudio, rate);
        var bargeIn = _options.BargeInAudio is null ? caller : SimulationAudio.Resample(_options.BargeInAudio, rate);
        _track = CallerTrack.Build(
            _format,
            caller,
            _options.LeadInSeconds * 1000,
            bargeIn,
            [.. _options.BargeInAtSeconds.Select(s => s * 1000)],
            _options.TailSeconds * 1000,
            _options.Dtmf.Count == 0 ? 0 : _options.Dtmf.Max(d => d.AtMs));

        var identity = _options.Identity ?? CallIdentity.New(_options.Carrier);
        ICallerProtocol protocol = _options.Carrier == CarrierKind.Twilio
            ? new TwilioCallerProtocol(identity)
            : new TelnyxCallerProtocol(identity, _format);

        await using var connection = await SimulatedCarrierConnection.ConnectAsync(
            _options.Url, protocol, _options.AuthToken, _options.Token, _options.Headers, _options.ConnectTimeout, cancellationToken);

        // Only sending follows the caller's token: cancelling it is the caller hanging up, which still ends
        // the call properly (stop, close handshake) so the gateway sees a normal hang-up.
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var playing = new CancellationTokenSource();
        using var receiving = new CancellationTokenSource();
        _clock.Start();
        var receiveTask = Task.Run(() => ReceiveLoopAsync(connection, sending, receiving.Token), CancellationToken.None);
        var playoutTask = Task.Run(() => PlayoutLoopAsync(connection, playing.Token), CancellationToken.None);

        var hungUp = false;
        try
        {
            await SendCallAsync(connection, identity, sending.Token);
        }
        catch (OperationCanceledException)
        {
            // Either the gateway closed the socket (the receive loop recorded how) or the user hung up.
            hungUp = cancellationToken.IsCancellationRequested;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // Sending failed because the connection went away; the receive loop reports it.
        }

        if (!connection.RemoteClosed)
        {
            try
            {
                using var stopTimeout = new CancellationTokenSource(_options.CloseTimeout);
                // Stamped when the stop leaves, not after the send returns: the gateway's close in answer may be read (and
                // stamped) before this continuation runs, and must still count as after the stop.
                var stopMs = _clock.NowMs;
                await connection.SendStopAsync(stopTimeout.Token);
                _timeline.Add(TimelineKind.StopSent, stopMs, hungUp
                    ? $"stop sent: caller hung up ({connection.MediaFramesSent} media frames)"
                    : $"stop sent ({connection.MediaFramesSent} media frames)");
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The gateway went away at the last moment.
            }
        }

        var endMs = _clock.NowMs;
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            _callEnded = true;
            _playout.Finish(endMs);
        }
        finally
        {
            _gate.Release();
        }

        await playing.CancelAsync();
        await playoutTask;

        await connection.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", CancellationToken.None);
        try
        {
            await receiveTask.WaitAsync(hungUp ? TimeSpan.FromSeconds(1) : _options.CloseTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            await receiving.CancelAsync();
            connection.Abort();
            await receiveTask;
        }

        _timeline.Add(TimelineKind.Ended, _clock.NowMs, "WebSocket closed");
        return BuildResult(connection, identity, endMs);
    }

    private async Task SendCallAsync(SimulatedCarrierConnection connection, CallIdentity identity, CancellationToken cancellationToken)
    {
        await connection.SendConnectedAsync(cancellationToken);
        _timeline.Add(TimelineKind.Connected, 0, "connected");
        await connection.SendStartAsync(_options.Parameters, cancellationToken);
        _timeline.Add(TimelineKind.Start, 0, _options.Carrier == CarrierKind.Twilio
            ? $"start: streamSid {identity.StreamId}, callSid {identity.CallId}, {_options.Parameters.Count} custom parameter(s)"
            : $"start: stream_id {identity.StreamId}, call_control_id {identity.CallId}, {_format.TelnyxEncoding}/{_format.SampleRate}");

        var events = SpeechEvents();
        var nextEvent = 0;
        var dtmf = _options.Dtmf.OrderBy(d => d.AtMs).ToList();
        var nextDtmf = 0;
        var frame = new byte[_format.BytesPerFrame];
        for (var n = 0; n < _track.FrameCount; n++)
        {
            var frameMs = (double)n * StreamFormat.FrameMs;
            await _clock.DelayUntilAsync(frameMs, cancellationToken);
            while (nextEvent < events.Count && events[nextEvent].TimeMs < frameMs + StreamFormat.FrameMs)
            {
                var e = events[nextEvent++];
                _timeline.Add(e.Kind, e.TimeMs, e.Detail);
            }

            while (nextDtmf < dtmf.Count && dtmf[nextDtmf].AtMs < frameMs + StreamFormat.FrameMs)
            {
                var press = dtmf[nextDtmf++];
                await connection.SendDtmfAsync(press.Digit, cancellationToken);
                _dtmfSent++;
                _timeline.Add(TimelineKind.DtmfSent, frameMs, $"DTMF '{press.Digit}' sent");
            }

            _track.EncodeFrame(n, frame);
            await connection.SendMediaAsync(frame, (long)frameMs, cancellationToken);
        }

        await _clock.DelayUntilAsync(_track.DurationMs, cancellationToken);
    }

    private List<TimelineEntry> SpeechEvents()
    {
        var events = new List<TimelineEntry>();
        foreach (var s in _track.Segments)
        {
            events.Add(new TimelineEntry(
                s.IsBargeIn ? TimelineKind.BargeInStarted : TimelineKind.CallerSpeechStarted, s.StartMs, $"{s.Label} started ({s.DurationMs:0} ms of speech)"));
            events.Add(new TimelineEntry(
                s.IsBargeIn ? TimelineKind.BargeInEnded : TimelineKind.CallerSpeechEnded, s.EndMs, $"{s.Label} ended"));
        }

        return [.. events.OrderBy(e => e.TimeMs)];
    }

    private async Task ReceiveLoopAsync(SimulatedCarrierConnection connection, CancellationTokenSource sending, CancellationToken cancellationToken)
    {
        try
        {
            while (await connection.ReceiveAsync(cancellationToken) is { } message)
            {
                await HandleAsync(connection, message);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var now = _clock.NowMs;
        var how = connection.ConnectionLost
            ? "connection lost without a close handshake"
            : $"gateway closed the WebSocket: {Describe(connection.CloseStatus, connection.CloseDescription)}";
        _timeline.Add(TimelineKind.GatewayClosed, now, how);
        if (!_callEnded)
        {
            // A real carrier stops streaming once the server closes the socket.
            await sending.CancelAsync();
        }
    }

    private async Task HandleAsync(SimulatedCarrierConnection connection, GatewayMessage message)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            var now = _clock.NowMs;
            IReadOnlyList<string> echoes = [];
            switch (message.Kind)
            {
                case GatewayMessageKind.Media:
                    OnMedia(now, message.Payload!);
                    if (!_callEnded)
                    {
                        echoes = _playout.EnqueueAudio(now, _format.Decode(message.Payload));
                    }

                    break;
                case GatewayMessageKind.Mark:
                    _timeline.Add(TimelineKind.MarkReceived, now, $"mark \"{message.MarkName}\" received");
                    if (!_callEnded)
                    {
                        echoes = _playout.EnqueueMark(now, message.MarkName!);
                    }

                    break;
                case GatewayMessageKind.Clear:
                    if (!_callEnded)
                    {
                        echoes = OnClear(now);
                    }

                    break;
                default:
                    var raw = message.Raw.Length > 200 ? message.Raw[..200] + "…" : message.Raw;
                    _violations.Add(new ProtocolViolation(now, message.Problem ?? "rejected", raw));
                    _timeline.Add(TimelineKind.ProtocolViolation, now, $"protocol violation: {message.Problem}");
                    break;
            }

            await EchoAsync(connection, echoes);
        }
        finally
        {
            _gate.Release();
        }

        if (_playoutChanged.CurrentCount == 0)
        {
            _playoutChanged.Release();
        }
    }

    private void OnMedia(double now, byte[] payload)
    {
        if (_firstReceivedMs is null)
        {
            _firstReceivedMs = now;
            _timeline.Add(TimelineKind.FirstAgentAudioReceived, now, "first agent audio received");
        }

        var afterClear = _clears.Count > 0;
        var stale = afterClear && now < _staleUntilMs;
        if (stale && !_staleReportedSinceClear)
        {
            _staleReportedSinceClear = true;
            _timeline.Add(TimelineKind.StaleMedia, now, $"STALE agent media after clear while the caller is still speaking (until {_staleUntilMs:0} ms)");
        }

        _received.Add(new ReceivedMediaFrame(now, payload.Length, afterClear, stale));
    }

    private IReadOnlyList<string> OnClear(double now)
    {
        var (echoes, droppedMs) = _playout.Clear(now);
        var speaking = _track.Segments.LastOrDefault(s => s.StartMs <= now);
        var activeEnd = _track.Segments.Where(s => s.StartMs <= now && now < s.EndMs).Select(s => s.EndMs).DefaultIfEmpty(double.NegativeInfinity).Max();
        _staleUntilMs = Math.Max(_staleUntilMs, activeEnd);
        _staleReportedSinceClear = false;
        var since = speaking is null ? (double?)null : now - speaking.StartMs;
        _clears.Add(new ClearRecord(now, since, speaking?.IsBargeIn == true, droppedMs, echoes.Count));
        var detail = speaking is null
            ? "clear received (the caller had not spoken)"
            : $"clear received {since:0} ms after {speaking.Label} started";
        _timeline.Add(TimelineKind.ClearReceived, now, $"{detail}; dropped {droppedMs:0} ms of queued audio, released {echoes.Count} mark(s)");
        return echoes;
    }

    private async Task PlayoutLoopAsync(SimulatedCarrierConnection connection, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            double? nextDue;
            try
            {
                await _gate.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (_callEnded)
                {
                    return;
                }

                await EchoAsync(connection, _playout.Advance(_clock.NowMs));
                nextDue = _playout.NextDueMs;
            }
            finally
            {
                _gate.Release();
            }

            // Sleep until the next playout event or new input, whichever comes first.
            var waitCallMs = nextDue is { } due ? Math.Max(0, due - _clock.NowMs) : 1000 * _clock.Speed;
            var waitWallMs = Math.Min(250, Math.Ceiling(waitCallMs / _clock.Speed));
            try
            {
                await _playoutChanged.WaitAsync(TimeSpan.FromMilliseconds(waitWallMs), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task EchoAsync(SimulatedCarrierConnection connection, IReadOnlyList<string> marks)
    {
        foreach (var name in marks)
        {
            try
            {
                await connection.SendMarkAsync(name);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private SimulationResult BuildResult(SimulatedCarrierConnection connection, CallIdentity identity, double endMs)
    {
        var segments = _track.Segments;
        var turns = _playout.Turns;
        var firstSpeechEnd = segments.FirstOrDefault(s => !s.IsBargeIn)?.EndMs;
        var response = firstSpeechEnd is { } speechEnd ? turns.FirstOrDefault(t => t.StartMs >= speechEnd) : null;

        var bargeIns = new List<BargeIn>();
        foreach (var s in segments.Where(s => s.IsBargeIn))
        {
            var nextStart = segments.Where(o => o.StartMs > s.StartMs).Select(o => o.StartMs).DefaultIfEmpty(double.PositiveInfinity).Min();
            var clear = _clears.FirstOrDefault(c => c.TimeMs >= s.StartMs && c.TimeMs < nextStart);
            bargeIns.Add(new BargeIn(s.Index, s.StartMs, s.EndMs, clear is null ? null : clear.TimeMs - s.StartMs));
        }

        var heard = _playout.Output((int)Math.Ceiling(_track.DurationMs * _format.SampleRate / 1000));
        if (_format.SampleRate != 8000)
        {
            heard = SimulationAudio.Resample(new WavAudio(heard, _format.SampleRate), 8000);
        }

        return new SimulationResult
        {
            Carrier = _options.Carrier,
            Identity = identity,
            Format = _format,
            Timeline = _timeline.Snapshot(),
            CallerSpeech = segments,
            BargeIns = bargeIns,
            MediaFramesSent = connection.MediaFramesSent,
            DtmfSent = _dtmfSent,
            ReceivedMedia = [.. _received],
            Marks = [.. _playout.Marks],
            Clears = [.. _clears],
            Turns = [.. turns],
            PlayoutUnderruns = _playout.Underruns,
            AgentAudio = heard,
            ProtocolViolations = [.. _violations],
            TimeToFirstAgentAudioMs = response is null ? null : response.StartMs - firstSpeechEnd,
            FirstAgentAudioReceivedMs = _firstReceivedMs,
            FirstAgentAudioPlayedMs = _playout.FirstPlayedMs,
            GatewayClosedFirst = ClosedBeforeStop(),
            CloseStatus = connection.CloseStatus,
            CloseDescription = connection.CloseDescription,
            ConnectionLost = connection.ConnectionLost,
            DurationMs = endMs,
        };
    }

    private bool ClosedBeforeStop() =>
        _timeline.Snapshot() is var entries
        && entries.FirstOrDefault(e => e.Kind == TimelineKind.GatewayClosed) is { } closed
        && !entries.Any(e => e.Kind == TimelineKind.StopSent && e.TimeMs <= closed.TimeMs);

    /// <summary>"1000 NormalClosure "reason"" or "no close status".</summary>
    public static string Describe(WebSocketCloseStatus? status, string? description)
    {
        if (status is null)
        {
            return "no close status";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{(int)status.Value} {status.Value}");
        return string.IsNullOrEmpty(description) ? text : $"{text} \"{description}\"";
    }
}
