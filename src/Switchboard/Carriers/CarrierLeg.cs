using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchboard.Audio;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Carriers;

/// <summary>
/// A phone call's caller leg: a carrier media stream (Twilio Media Streams, Telnyx media streaming) over a WebSocket,
/// read through the carrier's <see cref="ICarrierProtocol"/>. What the caller heard comes from the mark ledger: each
/// agent item goes out as a short first chunk and then ≤ 100 ms chunks, each followed by a mark the carrier echoes
/// once the audio before it has played. Hang-up and transfer go through the carrier's REST API.
/// </summary>
internal sealed class CarrierLeg : ICallerLeg
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PlayoutPoll = TimeSpan.FromMilliseconds(20);

    private readonly ICarrierProtocol _protocol;
    private readonly WebSocketSender _sender;
    private readonly WebSocketMessageReader _reader;
    private readonly ICarrierCallControl _callControl;
    private readonly BridgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Backend loop only: agent audio, marks and clears.
    private readonly PooledBufferWriter _out = new(2048);
    private byte[] _unescaped = [];
    private string _callId = "";
    private CallStartInfo? _start;
    private PlaybackLedger? _ledger;
    private string? _ledgerItem;
    private bool _startTimedOut;
    private int _unknownEventsLogged;
    private readonly WebSocket _socket;
    private readonly CancellationTokenSource _mediaWatch = new();

    // Written per frame by the caller loop (a timestamp, no allocation), read by the media watchdog.
    private long _lastFrameAt;
    private volatile bool _mediaTimedOut;
    private readonly bool _signedUpgrade;
    private readonly Func<CallStartInfo, CallStartInfo>? _amendStart;

    /// <param name="socket">The accepted carrier WebSocket.</param>
    /// <param name="protocol">The carrier's codec.</param>
    /// <param name="callControl">The carrier's REST call control (hang-up, transfer).</param>
    /// <param name="options">Bridge options.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The call log.</param>
    /// <param name="signedUpgrade">The carrier signed this stream's upgrade, so its start's parameters are the gateway's own.</param>
    /// <param name="amendStart">Completes the carrier's <c>start</c> with what the upgrade request said (a route's query), when set.</param>
    public CarrierLeg(WebSocket socket, ICarrierProtocol protocol, ICarrierCallControl callControl, BridgeOptions options, TimeProvider time, ILogger logger,
        bool signedUpgrade = false, Func<CallStartInfo, CallStartInfo>? amendStart = null)
    {
        _amendStart = amendStart;
        _signedUpgrade = signedUpgrade;
        _protocol = protocol;
        _socket = socket;
        _sender = new WebSocketSender(socket);
        _reader = new WebSocketMessageReader(socket, options.MaxCarrierMessageBytes);
        _callControl = callControl;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string Channel => _protocol.Name;

    public string LostEndReason => _mediaTimedOut ? CallEndReason.MediaTimeout : CallEndReason.CarrierClosed;

    public AudioFormat Format => _protocol.Format;

    public CallerLegCapabilities Capabilities =>
        CallerLegCapabilities.CallerAudio | CallerLegCapabilities.AgentAudio | CallerLegCapabilities.Transfer;

    public DateTimeOffset? ExpiresAt => null;

    /// <summary>Reads frames until <c>start</c>; anything else first (but <c>connected</c> and unknown events) closes the stream.</summary>
    public async Task<CallerLegStart> StartAsync(string callId, CancellationToken cancellationToken)
    {
        _callId = callId;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A watchdog, not a cancelled read: cancelling a WebSocket receive aborts the socket, and the carrier deserves a
        // close frame that says why.
        var timeout = TimeSpan.FromSeconds(_options.StartTimeoutSeconds);
        using var watchdog = new CancellationTokenSource();
        _ = CloseIfNoStartAsync(timeout, reading, watchdog.Token);
        try
        {
            while (true)
            {
                ReceiveStatus status;
                try
                {
                    status = await _reader.ReadAsync(reading.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_startTimedOut && !cancellationToken.IsCancellationRequested)
                {
                    status = ReceiveStatus.Closed;
                }
                catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted)
                {
                    // The WebSocket refused a frame and has already sent its close code (1002, 1007).
                    return CallerLegStart.Failed(CallEndReason.CarrierProtocolError, "WebSocket protocol violation: " + ex.Message, 0);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException)
                {
                    return CallerLegStart.Failed(CallEndReason.CarrierClosed, ex.Message, 0);
                }

                var outcome = ReadBeforeStart(status, out var closeReason);
                if (_start is not null)
                {
                    return new CallerLegStart(_start);
                }

                if (outcome.EndReason is not null)
                {
                    await CloseAsync(outcome.CloseCode, closeReason).ConfigureAwait(false);
                    return outcome;
                }
            }
        }
        finally
        {
            await watchdog.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One frame before <c>start</c>, synchronously (the frame's spans cannot cross an await): what ends the stream, if anything.</summary>
    private CallerLegStart ReadBeforeStart(ReceiveStatus status, out string closeReason)
    {
        var kind = TryReadFrame(status, out var frame);
        closeReason = frame.CloseReason ?? "";
        return kind == CallerFrameKind.End && _start is null
            ? CallerLegStart.Failed(frame.EndReason!, frame.Detail ?? frame.CloseReason, frame.CloseCode)
            : default;
    }

    private async Task CloseIfNoStartAsync(TimeSpan timeout, CancellationTokenSource reading, CancellationToken cancelled)
    {
        try
        {
            await Task.Delay(timeout, _time, cancelled).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _startTimedOut = true;
        await _sender.CloseAsync(WebSocketCloseStatus.PolicyViolation, $"no start message within {timeout.TotalSeconds:0} s", CloseTimeout).ConfigureAwait(false);
        try
        {
            // If the carrier never answers the close, stop waiting for it.
            reading.CancelAfter(TimeSpan.FromSeconds(2));
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public ValueTask OnAdmittedAsync(CancellationToken cancellationToken)
    {
        if (_options.MediaTimeoutSeconds > 0)
        {
            Volatile.Write(ref _lastFrameAt, _time.GetTimestamp());
            _ = WatchMediaAsync(TimeSpan.FromSeconds(_options.MediaTimeoutSeconds), _mediaWatch.Token);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Carriers send media continuously (20 ms frames, silence included): a stream with no complete frame for
    /// <paramref name="timeout"/> is stalled (a dead peer, a frame announced and never finished) and would hold its call
    /// and its concurrency slot forever. It is closed with 1008 <c>media timeout</c>; a peer that does not answer the close
    /// within two seconds is cut off, and the call ends <c>media_timeout</c> either way.
    /// </summary>
    private async Task WatchMediaAsync(TimeSpan timeout, CancellationToken cancelled)
    {
        try
        {
            while (true)
            {
                var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastFrameAt));
                if (quiet >= timeout)
                {
                    break;
                }

                await Task.Delay(timeout - quiet, _time, cancelled).ConfigureAwait(false);
            }

            _mediaTimedOut = true;
            CallLog.MediaTimeout(_logger, _callId, (int)timeout.TotalSeconds);
            await _sender.CloseAsync(WebSocketCloseStatus.PolicyViolation, "media timeout", CloseTimeout).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(2), _time, cancelled).ConfigureAwait(false);
            // The peer never answered the close: stop waiting for it (the caller loop's read fails and the call ends).
            _socket.Abort();
        }
        catch (OperationCanceledException)
        {
            // The call ended first.
        }
    }

    public ValueTask<ReceiveStatus> ReceiveAsync(CancellationToken cancellationToken) => _reader.ReadAsync(cancellationToken);

    public CallerFrameKind TryReadFrame(ReceiveStatus status, out CallerFrame frame)
    {
        frame = default;
        Volatile.Write(ref _lastFrameAt, _time.GetTimestamp());
        switch (status)
        {
            case ReceiveStatus.Closed:
                if (_mediaTimedOut)
                {
                    return frame.End(CallEndReason.MediaTimeout, (int)WebSocketCloseStatus.PolicyViolation, "media timeout",
                        $"no media for {_options.MediaTimeoutSeconds} s");
                }

                return _startTimedOut && _start is null
                    ? frame.End(CallEndReason.StartTimeout, (int)WebSocketCloseStatus.PolicyViolation, $"no start message within {_options.StartTimeoutSeconds} s")
                    : frame.End(CallEndReason.CarrierClosed, (int)WebSocketCloseStatus.NormalClosure, "stream closed", "carrier closed the stream");
            case ReceiveStatus.TooLarge:
                return frame.End(CallEndReason.CarrierProtocolError, (int)WebSocketCloseStatus.MessageTooBig, $"message exceeds {_options.MaxCarrierMessageBytes} bytes");
            case ReceiveStatus.Binary:
                return frame.End(CallEndReason.CarrierProtocolError, (int)WebSocketCloseStatus.InvalidMessageType, "binary frames are not supported; send JSON text frames");
        }

        var parsed = _protocol.TryParse(_reader.Message.Span, out var carrierFrame);
        if (parsed != CarrierParseStatus.Ok)
        {
            if (parsed == CarrierParseStatus.UnknownEvent)
            {
                var name = System.Text.Encoding.UTF8.GetString(carrierFrame.EventName.Length > 64 ? carrierFrame.EventName[..64] : carrierFrame.EventName);
                if (_options.UnknownCarrierEvents == "close")
                {
                    return frame.End(CallEndReason.CarrierProtocolError, (int)WebSocketCloseStatus.InvalidPayloadData, $"unknown event '{name}'");
                }

                // Carriers add events over time; a new one must not drop a live call. Log a few per call.
                if (_unknownEventsLogged++ < 3)
                {
                    CallLog.UnknownCarrierEvent(_logger, _callId, name);
                }

                return CallerFrameKind.None;
            }

            var code = parsed == CarrierParseStatus.UnsupportedMediaFormat ? WebSocketCloseStatus.InvalidMessageType : WebSocketCloseStatus.InvalidPayloadData;
            return frame.End(CallEndReason.CarrierProtocolError, (int)code, carrierFrame.Detail ?? parsed.ToString());
        }

        switch (carrierFrame.Kind)
        {
            case CarrierFrameKind.Connected:
                return CallerFrameKind.None;
            case CarrierFrameKind.Start:
                if (_start is null)
                {
                    _start = _signedUpgrade && carrierFrame.Start is { } signed ? signed with { ParametersSigned = true } : carrierFrame.Start;
                    if (_amendStart is not null && _start is not null)
                    {
                        _start = _amendStart(_start);
                    }
                    var format = _protocol.Format;
                    _ledger = new PlaybackLedger(format.BytesPerMs, _options.FirstChunkMs, _options.MarkIntervalMs, _time);
                }

                return CallerFrameKind.None;
            case CarrierFrameKind.Stop:
                return frame.End(CallEndReason.CallerHangup, (int)WebSocketCloseStatus.NormalClosure, "stream stopped", "carrier sent stop");
            case CarrierFrameKind.Error:
                frame.Detail = carrierFrame.Detail;
                return CallerFrameKind.Error;
        }

        if (_start is null)
        {
            return frame.End(CallEndReason.CarrierProtocolError, (int)WebSocketCloseStatus.ProtocolError,
                $"'{System.Text.Encoding.UTF8.GetString(carrierFrame.EventName)}' before 'start'");
        }

        switch (carrierFrame.Kind)
        {
            case CarrierFrameKind.Mark:
                if (MarkNames.TryParse(carrierFrame.MarkName, out var sequence))
                {
                    _ledger!.MarkPlayed(sequence);
                }

                return CallerFrameKind.None;
            case CarrierFrameKind.Dtmf:
                frame.Digit = carrierFrame.Digit;
                return CallerFrameKind.Dtmf;
            case CarrierFrameKind.Media when carrierFrame.IsInboundTrack:
                var payload = carrierFrame.Payload;
                if (carrierFrame.PayloadEscaped)
                {
                    if (_unescaped.Length < payload.Length)
                    {
                        _unescaped = new byte[Math.Max(payload.Length, _unescaped.Length * 2)];
                    }

                    if (!JsonStringUnescaper.TryUnescapeAscii(payload, _unescaped, out var unescaped) || !Base64.IsValid(_unescaped.AsSpan(0, unescaped)))
                    {
                        return frame.End(CallEndReason.CarrierProtocolError, (int)WebSocketCloseStatus.InvalidPayloadData, "media payload is not valid base64");
                    }

                    payload = _unescaped.AsSpan(0, unescaped);
                }

                frame.Audio = payload;
                frame.AudioFormat = _protocol.Format;
                return CallerFrameKind.Audio;
            default:
                return CallerFrameKind.None;
        }
    }

    public ValueTask RunPendingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Sends agent audio in chunks, with a playback mark whenever one is due.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendAudioAsync(string itemId, ReadOnlyMemory<byte> audio, bool isBase64, CancellationToken cancellationToken)
    {
        var ledger = _ledger!;
        if (!ReferenceEquals(itemId, _ledgerItem))
        {
            _ledgerItem = itemId;
            ledger.BeginItem(itemId);
        }

        var sampleBytes = _protocol.Format.BytesPerSample;
        // Base64 can only be cut between 4-character groups (3 bytes), and never inside a sample.
        var unit = isBase64 ? 3 * sampleBytes : sampleBytes;
        var offset = 0;
        while (offset < audio.Length)
        {
            var budget = ledger.BytesBeforeNextMark();
            var remainingBytes = isBase64 ? CallBridge.DecodedLength(audio.Span[offset..]) : audio.Length - offset;
            // Split only when the rest overshoots the budget by more than a first chunk: slivers of audio in their own
            // messages cost more messages per second than the extra mark precision is worth.
            var pieceBytes = remainingBytes <= budget + ledger.FirstChunkBytes ? remainingBytes : Math.Max(unit, budget / unit * unit);
            int pieceLength;
            _out.ResetWrittenCount();
            if (isBase64)
            {
                pieceLength = pieceBytes == remainingBytes ? audio.Length - offset : pieceBytes / 3 * 4;
                _protocol.WriteMediaBase64(_out, audio.Span.Slice(offset, pieceLength));
            }
            else
            {
                pieceLength = pieceBytes;
                _protocol.WriteMedia(_out, audio.Span.Slice(offset, pieceLength));
            }

            offset += pieceLength;
            var sent = await _sender.SendTextAsync(_out.WrittenMemory, cancellationToken).ConfigureAwait(false);
            // A waiting call holds no message buffer; the next piece rents again (from the pool's per-thread cache).
            _out.Release();
            if (!sent)
            {
                return false;
            }

            if (ledger.AddSent(pieceBytes))
            {
                await SendMarkAsync(_out, cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>Closes the item's playback accounting with a mark, so the ledger knows when it finished playing.</summary>
    public async ValueTask AgentAudioDoneAsync(string itemId, long generatedMs, CancellationToken cancellationToken) =>
        await SendMarkAsync(_out, cancellationToken).ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendMarkAsync(PooledBufferWriter output, CancellationToken cancellationToken)
    {
        var sequence = _ledger!.RegisterMark();
        if (sequence == 0)
        {
            return;
        }

        output.ResetWrittenCount();
        _protocol.WriteMark(output, sequence);
        await _sender.SendTextAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        output.Release();
    }

    public string? UnplayedItem => _ledger is { } ledger && ledger.TryEstimateHeard(out var item, out _) ? item : null;

    /// <summary>Sends <c>clear</c> (the carrier flushes its buffer) and answers from the ledger: the last echoed mark plus the time since.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ClearedPlayout> ClearAsync(string? itemId, string reason, long knownHeardMs, CancellationToken cancellationToken)
    {
        var ledger = _ledger!;
        if (itemId is null)
        {
            // Nothing is queued at the carrier: there is nothing to flush.
            return new ClearedPlayout(0, "marks");
        }

        var heardMs = ledger.TryEstimateHeard(out var playing, out var estimate) && string.Equals(playing, itemId, StringComparison.Ordinal) ? estimate : 0;
        _out.ResetWrittenCount();
        _protocol.WriteClear(_out);
        await _sender.SendTextAsync(_out.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _out.Release();
        ledger.Clear();
        _ledgerItem = null;
        return new ClearedPlayout(knownHeardMs >= 0 ? knownHeardMs : heardMs, "marks");
    }

    public long EstimateHeard(string itemId) =>
        _ledger is { } ledger && ledger.TryEstimateHeard(out var playing, out var heardMs) && string.Equals(playing, itemId, StringComparison.Ordinal) ? heardMs : 0;

    /// <summary>Puts a mark after the audio sent so far, then waits until the carrier has echoed every mark.</summary>
    public async Task WaitForPlayoutAsync(TimeSpan cap, CancellationToken cancellationToken)
    {
        var ledger = _ledger!;
        // Audio sent since the last mark would never be confirmed: put a mark after it (its own buffer: the backend loop may be sending).
        await SendMarkAsync(new PooledBufferWriter(128), cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        while (ledger.HasUnplayedAudio && _time.GetElapsedTime(started) < cap)
        {
            await Task.Delay(PlayoutPoll, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask ShowStateAsync(string state, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask ShowTranscriptAsync(string role, string text, bool final, string itemId, long? heardMs, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask ShowErrorAsync(string code, string message, string? backendCode, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public Task<string> RunActionAsync(string callId, string name, string argumentsJson, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a phone call runs no browser actions");

    public async Task<string?> HangUpAsync(CancellationToken cancellationToken)
    {
        var result = await _callControl.HangUpAsync(_callId, _protocol.Name, _start!, cancellationToken).ConfigureAwait(false);
        return CallBridge.Describe(result.Status);
    }

    public Task<CallControlResult> TransferAsync(string to, string? callerId, CancellationToken cancellationToken) =>
        _callControl.TransferAsync(_callId, _protocol.Name, _start!, to, callerId, cancellationToken);

    public Task CloseAsync(int code, string reason)
    {
        // The call is ending: a silence from now on is not a stall.
        _mediaWatch.Cancel();
        return _sender.CloseAsync((WebSocketCloseStatus)code, reason, CloseTimeout);
    }

    public (int Code, string Reason) CloseFor(string endReason, string text) => endReason switch
    {
        CallEndReason.BackendUnavailable or CallEndReason.BackendDisconnected or CallEndReason.InternalError => ((int)WebSocketCloseStatus.InternalServerError, text),
        CallEndReason.GatewayShutdown => ((int)WebSocketCloseStatus.EndpointUnavailable, text),
        CallEndReason.EndpointRejected => ((int)WebSocketCloseStatus.PolicyViolation, text),
        // 1013 Try Again Later: a cap is full, a budget is used up, the node is draining.
        CallEndReason.Refused => (TryAgainLater, text),
        _ => ((int)WebSocketCloseStatus.NormalClosure, text),
    };

    /// <summary>WebSocket close code 1013 (RFC 6455 registry: Try Again Later), which <see cref="WebSocketCloseStatus"/> lacks.</summary>
    private const int TryAgainLater = 1013;

    public void DescribeStart(IDictionary<string, string> data)
    {
        var start = _start!;
        data["format"] = _protocol.Format.ToString();
        Add(data, CallEventKeys.CarrierCallId, start.CarrierCallId);
        Add(data, CallEventKeys.StreamId, start.StreamId);
        Add(data, CallEventKeys.From, start.From);
        Add(data, CallEventKeys.To, start.To);
    }

    private static void Add(IDictionary<string, string> data, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            data[key] = value;
        }
    }

    public ValueTask DisposeAsync()
    {
        // The bridge has closed the socket; only the buffers (and the media watchdog) remain.
        _mediaWatch.Cancel();
        _reader.Dispose();
        _sender.Dispose();
        return ValueTask.CompletedTask;
    }
}
