using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Calls;

/// <summary>
/// One call: the caller leg (a carrier media stream) and the agent leg (a GA realtime session). Owns what
/// the call means: audio both ways (passed through undecoded when both sides speak the same G.711 law),
/// the playback ledger, barge-in, tool calls, timers and the transcript events.
/// </summary>
/// <remarks>
/// Two loops run per call. The carrier loop reads caller frames and appends audio to the backend; the
/// backend loop forwards agent audio, marks and clears to the carrier and reacts to backend events. Each
/// loop owns its own output buffer; the sockets serialize sends. Nothing here throws into another call.
/// </remarks>
internal sealed partial class CallBridge : IAsyncDisposable
{
    private static readonly System.Text.Json.JsonElement EmptyToolParameters =
        System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    private readonly SwitchboardOptions _options;
    private readonly IRealtimeEndpointProvider _endpoints;
    private readonly IAgentResolver _agents;
    private readonly ICallJournal _journal;
    private readonly CallRegistry _registry;
    private readonly IToolInvoker _tools;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ICarrierProtocol _protocol;
    private readonly WebSocketSender _carrier;
    private readonly WebSocketMessageReader _carrierReader;
    private readonly CancellationTokenSource _cts;
    // Sized for one media message (an append or a 100 ms carrier chunk); they grow if a codec needs more.
    // One-off large messages (session.update) use their own writer so these stay small for the whole call.
    private readonly ArrayBufferWriter<byte> _carrierLoopOut = new(1024);
    private readonly ArrayBufferWriter<byte> _backendLoopOut = new(2048);
    // Interrupted items until their final transcript is journaled (then removed), so a long call with many
    // barge-ins does not keep every item id; the oldest go once more than MaxInterruptedItems wait.
    private const int MaxInterruptedItems = 32;
    private readonly Dictionary<string, long> _interruptedItems = new(StringComparer.Ordinal);
    private readonly Queue<string> _interruptedOrder = new();
    private readonly List<FunctionCallArgumentsDoneEvent> _pendingToolCalls = [];
    private readonly long _startedTimestamp;
    private readonly DateTimeOffset _startedAt;
    private long _eventSequence;
    private string? _endReason;
    private string? _endDetail;

    private RealtimeConnection? _backend;
    private RealtimeEndpoint? _endpoint;
    private ResolvedAgent? _agent;
    private Agents.Tools.ToolRunner? _toolRunner;
    private CallStartInfo? _start;
    private AudioTranscoder? _inbound;
    private AudioTranscoder? _outbound;
    private PlaybackLedger? _ledger;
    private AudioFormat _backendFormat;
    // Scratch buffers: the carrier loop's (_in*) and the backend loop's never mix, the loops run concurrently.
    private byte[] _inEscapeScratch = [];
    private byte[] _inRaw = [];
    private byte[] _inConverted = [];
    private byte[] _decodeScratch = [];
    private byte[] _transcodeScratch = [];
    private byte[] _outAudio = [];
    private int _outAudioLength;
    private bool _outAudioIsBase64;

    // Backend-loop state: the response and item whose audio is flowing, and what a barge-in silenced.
    private string? _responseId;
    private bool _responseActive;
    private string? _audioItem;
    private byte[] _audioItemUtf8 = [];
    private long _audioItemGeneratedBytes;
    private byte[] _suppressedItemUtf8 = [];
    private byte[] _suppressedResponseUtf8 = [];
    private int _unknownEventsLogged;

    // Latency budget: carrier frame received → append sent (carrier loop writes, backend loop reads for the report),
    // and per agent item: speech stopped → first delta received → first media sent.
    private long _inFrames;
    private long _inTotalTicks;
    private long _inMaxTicks;
    private long _speechStoppedTimestamp;
    private long _firstDeltaTimestamp;
    private long _messageTimestamp;
    private bool _firstMediaPending;

    public CallBridge(WebSocket carrierSocket, ICarrierProtocol protocol, CallServices services, CancellationToken aborted)
    {
        var options = services.Options;
        var time = services.Time;
        _options = options;
        _endpoints = services.Endpoints;
        _agents = services.Agents;
        _journal = services.Journal;
        _registry = services.Registry;
        _tools = services.Tools;
        _callControl = services.CallControl;
        _logger = services.Logger;
        _time = time;
        _protocol = protocol;
        _carrier = new WebSocketSender(carrierSocket);
        _carrierReader = new WebSocketMessageReader(carrierSocket, options.Bridge.MaxCarrierMessageBytes);
        _cts = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        _startedTimestamp = time.GetTimestamp();
        _startedAt = time.GetUtcNow();
        CallId = "call_" + Guid.NewGuid().ToString("N");
    }

    public string CallId { get; }

    /// <summary>Why the call ended, once it has.</summary>
    public string? EndReason => _endReason;

    /// <summary>Runs the call to its end. Never throws for call-level failures.</summary>
    public async Task RunAsync()
    {
        Task? backendLoop = null;
        try
        {
            backendLoop = await RunCarrierLoopAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            End(CallEndReason.GatewayShutdown, "cancelled");
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            End(CallEndReason.CarrierClosed, ex.Message);
        }
        catch (Exception ex)
        {
            CallLog.UnexpectedFailure(_logger, CallId, ex);
            End(CallEndReason.InternalError, ex.GetType().Name);
            await _carrier.CloseAsync(WebSocketCloseStatus.InternalServerError, "internal error", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        finally
        {
            await SummarizeBeforeCloseAsync().ConfigureAwait(false);
            // Say goodbye to the backend with a close frame before the loops are cancelled (a cancelled read aborts the socket).
            if (_backend is not null)
            {
                await _backend.CloseAsync(_endReason ?? "call ended").ConfigureAwait(false);
            }

            await _cts.CancelAsync().ConfigureAwait(false);
            if (backendLoop is not null)
            {
                await backendLoop.ConfigureAwait(false);
            }

            await FinishAsync().ConfigureAwait(false);
        }
    }

    private async Task<Task?> RunCarrierLoopAsync()
    {
        var token = _cts.Token;
        Task? backendLoop = null;
        // A watchdog, not a cancelled read: cancelling a WebSocket receive aborts the socket, and the
        // carrier deserves a close frame that says why.
        _ = CloseIfNoStartAsync(TimeSpan.FromSeconds(_options.Bridge.StartTimeoutSeconds), token);

        while (true)
        {
            ReceiveStatus status;
            try
            {
                status = await _carrierReader.ReadAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return backendLoop;
            }

            switch (status)
            {
                case ReceiveStatus.Closed:
                    End(CallEndReason.CarrierClosed, "carrier closed the stream");
                    await _carrier.CloseAsync(WebSocketCloseStatus.NormalClosure, "stream closed", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                    return backendLoop;
                case ReceiveStatus.TooLarge:
                    await CloseCarrierAsync(WebSocketCloseStatus.MessageTooBig, $"message exceeds {_options.Bridge.MaxCarrierMessageBytes} bytes", CallEndReason.CarrierProtocolError).ConfigureAwait(false);
                    return backendLoop;
                case ReceiveStatus.Binary:
                    await CloseCarrierAsync(WebSocketCloseStatus.InvalidMessageType, "binary frames are not supported; send JSON text frames", CallEndReason.CarrierProtocolError).ConfigureAwait(false);
                    return backendLoop;
            }

            var receivedAt = _time.GetTimestamp();
            var action = HandleCarrierMessage(_carrierReader.Message.Span, out var closeStatus, out var closeReason);
            switch (action)
            {
                case CarrierAction.Continue:
                    break;
                case CarrierAction.SendToBackend:
                    if (_backend is not null && !await _backend.SendAsync(_carrierLoopOut.WrittenMemory, token).ConfigureAwait(false) && !token.IsCancellationRequested)
                    {
                        // The backend loop notices the broken socket and ends the call with the reason.
                        await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                    }

                    var inTicks = _time.GetTimestamp() - receivedAt;
                    _inFrames++;
                    _inTotalTicks += inTicks;
                    _inMaxTicks = Math.Max(_inMaxTicks, inTicks);
                    break;
                case CarrierAction.Start:
                    backendLoop = await StartCallAsync().ConfigureAwait(false);
                    if (backendLoop is null)
                    {
                        return null;
                    }

                    break;
                case CarrierAction.Stop:
                    End(CallEndReason.CallerHangup, "carrier sent stop");
                    await _carrier.CloseAsync(WebSocketCloseStatus.NormalClosure, "stream stopped", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                    return backendLoop;
                case CarrierAction.Close:
                    await CloseCarrierAsync(closeStatus, closeReason!, CallEndReason.CarrierProtocolError).ConfigureAwait(false);
                    return backendLoop;
            }
        }
    }

    private async Task CloseIfNoStartAsync(TimeSpan timeout, CancellationToken token)
    {
        try
        {
            await Task.Delay(timeout, _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_start is null)
        {
            await CloseCarrierAsync(WebSocketCloseStatus.PolicyViolation, $"no start message within {timeout.TotalSeconds:0} s", CallEndReason.StartTimeout).ConfigureAwait(false);
            // If the carrier never answers the close, stop waiting for it.
            _cts.CancelAfter(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Handles one carrier frame synchronously (spans cannot cross an await); says what to do next.</summary>
    private CarrierAction HandleCarrierMessage(ReadOnlySpan<byte> message, out WebSocketCloseStatus closeStatus, out string? closeReason)
    {
        closeStatus = WebSocketCloseStatus.NormalClosure;
        closeReason = null;
        var status = _protocol.TryParse(message, out var frame);
        if (status != CarrierParseStatus.Ok)
        {
            if (status == CarrierParseStatus.UnknownEvent)
            {
                var name = System.Text.Encoding.UTF8.GetString(frame.EventName.Length > 64 ? frame.EventName[..64] : frame.EventName);
                if (_options.Bridge.UnknownCarrierEvents == "close")
                {
                    closeStatus = WebSocketCloseStatus.InvalidPayloadData;
                    closeReason = $"unknown event '{name}'";
                    return CarrierAction.Close;
                }

                // Carriers add events over time; a new one must not drop a live call. Log a few per call.
                if (_unknownEventsLogged++ < 3)
                {
                    CallLog.UnknownCarrierEvent(_logger, CallId, name);
                }

                return CarrierAction.Continue;
            }

            closeStatus = status == CarrierParseStatus.UnsupportedMediaFormat ? WebSocketCloseStatus.InvalidMessageType : WebSocketCloseStatus.InvalidPayloadData;
            closeReason = frame.Detail ?? status.ToString();
            return CarrierAction.Close;
        }

        switch (frame.Kind)
        {
            case CarrierFrameKind.Connected:
                return CarrierAction.Continue;
            case CarrierFrameKind.Start:
                if (_start is not null)
                {
                    return CarrierAction.Continue;
                }

                _start = frame.Start;
                return CarrierAction.Start;
            case CarrierFrameKind.Stop:
                return CarrierAction.Stop;
            case CarrierFrameKind.Error:
                CallLog.CarrierError(_logger, CallId, frame.Detail);
                Record(CallEventType.BackendError, reason: "carrier_error", detail: frame.Detail);
                return CarrierAction.Continue;
        }

        if (_start is null)
        {
            closeStatus = WebSocketCloseStatus.ProtocolError;
            closeReason = $"'{System.Text.Encoding.UTF8.GetString(frame.EventName)}' before 'start'";
            return CarrierAction.Close;
        }

        switch (frame.Kind)
        {
            case CarrierFrameKind.Mark:
                if (MarkNames.TryParse(frame.MarkName, out var sequence))
                {
                    _ledger?.MarkPlayed(sequence);
                }

                return CarrierAction.Continue;
            case CarrierFrameKind.Dtmf:
                Record(CallEventType.Dtmf, digit: System.Text.Encoding.UTF8.GetString(frame.Digit));
                return CarrierAction.Continue;
            case CarrierFrameKind.Media:
                return frame.IsInboundTrack && WriteAppend(ref frame, out closeReason)
                    ? CarrierAction.SendToBackend
                    : closeReason is null ? CarrierAction.Continue : CloseWith(WebSocketCloseStatus.InvalidPayloadData, out closeStatus);
            default:
                return CarrierAction.Continue;
        }
    }

    private static CarrierAction CloseWith(WebSocketCloseStatus status, out WebSocketCloseStatus closeStatus)
    {
        closeStatus = status;
        return CarrierAction.Close;
    }

    /// <summary>Builds <c>input_audio_buffer.append</c> from a media frame: the payload as-is when formats match, else transcoded.</summary>
    private bool WriteAppend(ref CarrierFrame frame, out string? error)
    {
        error = null;
        var payload = frame.Payload;
        _carrierLoopOut.ResetWrittenCount();
        if (frame.PayloadEscaped)
        {
            EnsureCapacity(ref _inEscapeScratch, payload.Length);
            if (!JsonStringUnescaper.TryUnescapeAscii(payload, _inEscapeScratch, out var unescaped) || !Base64.IsValid(_inEscapeScratch.AsSpan(0, unescaped)))
            {
                error = "media payload is not valid base64";
                return false;
            }

            payload = _inEscapeScratch.AsSpan(0, unescaped);
        }

        if (_inbound!.IsPassthrough)
        {
            RealtimeClientEvents.WriteAppendBase64(_carrierLoopOut, payload);
            return true;
        }

        EnsureCapacity(ref _inRaw, Base64.GetMaxDecodedFromUtf8Length(payload.Length));
        if (Base64.DecodeFromUtf8(payload, _inRaw, out _, out var decoded) != OperationStatus.Done)
        {
            error = "media payload is not valid base64";
            return false;
        }

        EnsureCapacity(ref _inConverted, _inbound.MaxOutputBytes(decoded));
        var converted = _inbound.Transcode(_inRaw.AsSpan(0, decoded), _inConverted);
        RealtimeClientEvents.WriteAppend(_carrierLoopOut, _inConverted.AsSpan(0, converted));
        return true;
    }

    /// <summary>After <c>start</c>: registers the call, connects the agent leg, configures the session, starts the backend loop.</summary>
    private async Task<Task?> StartCallAsync()
    {
        var start = _start!;
        var carrierFormat = _protocol.Format;
        AgentResolution admission;
        try
        {
            admission = await _agents.ResolveForCallAsync(_protocol.Name, start, _cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            CallLog.AdmissionFailed(_logger, CallId, ex.Message);
            await CloseCarrierAsync(WebSocketCloseStatus.InternalServerError, "endpoint lookup failed", CallEndReason.InternalError, ex.Message).ConfigureAwait(false);
            return null;
        }

        if (admission.Agent is not { } agent)
        {
            CallLog.AdmissionRefused(_logger, CallId, _protocol.Name, admission.Refusal!);
            await CloseCarrierAsync(WebSocketCloseStatus.PolicyViolation, admission.Refusal!, CallEndReason.EndpointRejected).ConfigureAwait(false);
            return null;
        }

        _agent = agent;
        var spec = agent.Spec;
        var tools = Agents.Tools.BuiltInTools.Effective(spec);
        _toolRunner = new Agents.Tools.ToolRunner(tools, new BridgeToolInvoker(this, _tools), _time, _logger,
            new ToolCallContext(agent.TeamId, agent.EndpointId, _protocol.Name, start.From));
        _backendFormat = ChooseBackendFormat(spec.AudioFormat, carrierFormat);
        _inbound = new AudioTranscoder(carrierFormat, _backendFormat);
        _outbound = new AudioTranscoder(_backendFormat, carrierFormat);
        _ledger = new PlaybackLedger(carrierFormat.BytesPerMs, _options.Bridge.FirstChunkMs, _options.Bridge.MarkIntervalMs, _time);
        _registry.Add(new ActiveCall(CallId, _protocol.Name, start.CarrierCallId, _startedAt, HangUpAsync));
        if (!string.IsNullOrEmpty(start.StreamId))
        {
            _registry.RememberStream(start.StreamId, CallId);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["carrier"] = _protocol.Name, ["format"] = carrierFormat.ToString(), ["backend_format"] = _backendFormat.ToString() };
        AddIfSet(data, "carrier_call_id", start.CarrierCallId);
        AddIfSet(data, "stream_id", start.StreamId);
        AddIfSet(data, "from", start.From);
        AddIfSet(data, "to", start.To);
        data[CallEventKeys.TeamId] = agent.TeamId.ToString("D");
        data[CallEventKeys.EndpointId] = agent.EndpointId.ToString("D");
        data["endpoint"] = agent.EndpointName;

        try
        {
            _endpoint = _endpoints.GetEndpoint(spec.Backend, spec.Model);
            data["backend"] = _endpoint.Kind;
            PrepareArtifact(data, spec);
            Record(CallEventType.CallStarted, data: data);
            _backend = await RealtimeConnection.ConnectAsync(_endpoint, _options.Bridge.MaxBackendMessageBytes,
                TimeSpan.FromSeconds(_options.Backend.ConnectTimeoutSeconds), _cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or InvalidOperationException or HttpRequestException)
        {
            var backendName = _endpoint?.Describe() ?? "(none)";
            CallLog.BackendUnavailable(_logger, CallId, backendName, ex.Message);
            await CloseCarrierAsync(WebSocketCloseStatus.InternalServerError, "agent backend unavailable", CallEndReason.BackendUnavailable, ex.Message).ConfigureAwait(false);
            return null;
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            CallLog.CallStarted(_logger, CallId, _protocol.Name, start.CarrierCallId, start.StreamId, carrierFormat.ToString(), _endpoint.Describe(), _backendFormat.ToString());
        }

        var settings = new RealtimeSessionSettings
        {
            Model = _endpoint.Model,
            Instructions = spec.Instructions,
            Voice = spec.Voice,
            InputFormat = _backendFormat,
            OutputFormat = _backendFormat,
            TurnDetection = spec.TurnDetection.Type,
            VadThreshold = spec.TurnDetection.Threshold,
            PrefixPaddingMs = spec.TurnDetection.PrefixPaddingMs,
            SilenceDurationMs = spec.TurnDetection.SilenceDurationMs,
            TranscriptionModel = spec.Transcription.Model,
            TranscriptionLanguage = spec.Transcription.Language,
            Tools = tools.Select(t => new RealtimeToolDefinition(t.Name, t.Description ?? "", t.Parameters ?? EmptyToolParameters)).ToList(),
        };
        var setup = new ArrayBufferWriter<byte>(4096);
        RealtimeClientEvents.WriteSessionUpdate(setup, settings);
        await _backend.SendAsync(setup.WrittenMemory, _cts.Token).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(spec.Greeting))
        {
            setup.ResetWrittenCount();
            RealtimeClientEvents.WriteResponseCreate(setup, $"Greet the caller by saying exactly: \"{spec.Greeting}\"");
            await _backend.SendAsync(setup.WrittenMemory, _cts.Token).ConfigureAwait(false);
        }

        var maxSeconds = spec.Limits.MaxCallSeconds > 0 ? spec.Limits.MaxCallSeconds : _options.Bridge.MaxCallSeconds;
        if (maxSeconds > 0)
        {
            _ = EnforceMaxDurationAsync(TimeSpan.FromSeconds(maxSeconds));
        }

        return Task.Run(RunBackendLoopAsync);
    }

    /// <summary>Ends the call from outside (shutdown, later an API): 1001 with the reason, then the loops stop.</summary>
    private async Task HangUpAsync(string reason)
    {
        await CloseCarrierAsync(WebSocketCloseStatus.EndpointUnavailable, reason, CallEndReason.GatewayShutdown).ConfigureAwait(false);
        _cts.CancelAfter(TimeSpan.FromSeconds(1));
    }

    private async Task EnforceMaxDurationAsync(TimeSpan limit)
    {
        try
        {
            await Task.Delay(limit, _time, _cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await CloseCarrierAsync(WebSocketCloseStatus.NormalClosure, "maximum call duration reached", CallEndReason.MaxDuration).ConfigureAwait(false);
        _cts.CancelAfter(TimeSpan.FromSeconds(1));
    }

    internal static AudioFormat ChooseBackendFormat(string configured, AudioFormat carrier) => configured switch
    {
        "pcmu" => AudioFormat.MuLaw8k,
        "pcma" => AudioFormat.ALaw8k,
        "pcm24" => AudioFormat.Pcm24k,
        // auto: keep G.711 end to end so audio passes through undecoded; PCM carriers meet the backend at 24 kHz.
        _ when carrier == AudioFormat.MuLaw8k => AudioFormat.MuLaw8k,
        _ when carrier == AudioFormat.ALaw8k => AudioFormat.ALaw8k,
        _ => AudioFormat.Pcm24k,
    };

    private async Task RunBackendLoopAsync()
    {
        var token = _cts.Token;
        var backend = _backend!;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var status = await backend.ReceiveAsync(token).ConfigureAwait(false);
                if (status is ReceiveStatus.Closed or ReceiveStatus.TooLarge)
                {
                    if (_endReason is not null)
                    {
                        // We closed it ourselves because the call is ending.
                        return;
                    }

                    var description = status == ReceiveStatus.TooLarge ? "backend message too large" : backend.CloseStatusDescription;
                    CallLog.BackendDisconnected(_logger, CallId, backend.CloseStatus?.ToString(), description);
                    await CloseCarrierAsync(WebSocketCloseStatus.InternalServerError, "agent backend disconnected", CallEndReason.BackendDisconnected, description).ConfigureAwait(false);
                    _cts.CancelAfter(TimeSpan.FromSeconds(1));
                    return;
                }

                if (status == ReceiveStatus.Binary)
                {
                    continue;
                }

                _messageTimestamp = _time.GetTimestamp();
                if (PrepareAgentAudio(backend.Message.Span, out var handled, out var type))
                {
                    await SendAgentAudioAsync(token).ConfigureAwait(false);
                }
                else if (!handled)
                {
                    if (type == RealtimeServerEventType.SpeechStarted)
                    {
                        // The caller is talking over the agent: stop the audio before anything else (parsing, journaling).
                        await BargeInAsync(token).ConfigureAwait(false);
                    }

                    await HandleBackendEventAsync(backend.Message, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            CallLog.BackendDisconnected(_logger, CallId, "aborted", ex.Message);
            await CloseCarrierAsync(WebSocketCloseStatus.InternalServerError, "agent backend disconnected", CallEndReason.BackendDisconnected, ex.Message).ConfigureAwait(false);
            _cts.CancelAfter(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex)
        {
            CallLog.UnexpectedFailure(_logger, CallId, ex);
            await CloseCarrierAsync(WebSocketCloseStatus.InternalServerError, "internal error", CallEndReason.InternalError, ex.GetType().Name).ConfigureAwait(false);
            _cts.CancelAfter(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// The hot path for <c>response.output_audio.delta</c>: copies (or transcodes) the audio into the
    /// outbound buffer. Returns true when there is audio to send; <paramref name="handled"/> is true
    /// when the message was an audio delta at all (sent or deliberately dropped).
    /// </summary>
    private bool PrepareAgentAudio(ReadOnlySpan<byte> message, out bool handled, out RealtimeServerEventType type)
    {
        handled = false;
        type = RealtimeServerEventType.Unknown;
        if (!RealtimeEventScanner.TryScan(message, out var header))
        {
            handled = true;
            CallLog.UnparseableBackendEvent(_logger, CallId, message.Length);
            return false;
        }

        type = header.Type;
        if (header.Type != RealtimeServerEventType.OutputAudioDelta)
        {
            return false;
        }

        handled = true;
        // Audio of an item the caller interrupted must never reach the carrier after the clear.
        if ((_suppressedItemUtf8.Length > 0 && header.ItemId.SequenceEqual(_suppressedItemUtf8))
            || (_suppressedResponseUtf8.Length > 0 && header.ResponseId.SequenceEqual(_suppressedResponseUtf8)))
        {
            return false;
        }

        if (!header.ItemId.SequenceEqual(_audioItemUtf8))
        {
            _audioItemUtf8 = header.ItemId.ToArray();
            _audioItem = System.Text.Encoding.UTF8.GetString(header.ItemId);
            _audioItemGeneratedBytes = 0;
            _ledger!.BeginItem(_audioItem);
            _firstDeltaTimestamp = _messageTimestamp;
            _firstMediaPending = true;
        }

        var delta = header.Delta;
        if (header.DeltaEscaped)
        {
            EnsureCapacity(ref _decodeScratch, delta.Length);
            if (!JsonStringUnescaper.TryUnescapeAscii(delta, _decodeScratch, out var n))
            {
                return false;
            }

            delta = _decodeScratch.AsSpan(0, n);
        }

        if (_outbound!.IsPassthrough)
        {
            EnsureCapacity(ref _outAudio, delta.Length);
            delta.CopyTo(_outAudio);
            _outAudioLength = delta.Length;
            _outAudioIsBase64 = true;
            _audioItemGeneratedBytes += DecodedLength(delta);
            return delta.Length > 0;
        }

        var maxDecoded = Base64.GetMaxDecodedFromUtf8Length(delta.Length);
        EnsureCapacity(ref _transcodeScratch, maxDecoded);
        if (Base64.DecodeFromUtf8(delta, _transcodeScratch, out _, out var decoded) != OperationStatus.Done)
        {
            CallLog.UnparseableBackendEvent(_logger, CallId, message.Length);
            return false;
        }

        EnsureCapacity(ref _outAudio, _outbound.MaxOutputBytes(decoded));
        _outAudioLength = _outbound.Transcode(_transcodeScratch.AsSpan(0, decoded), _outAudio);
        _outAudioIsBase64 = false;
        _audioItemGeneratedBytes += _outAudioLength;
        return _outAudioLength > 0;
    }

    /// <summary>Sends the prepared agent audio to the carrier in chunks, with a playback mark whenever one is due.</summary>
    private async Task SendAgentAudioAsync(CancellationToken token)
    {
        var ledger = _ledger!;
        var sampleBytes = _protocol.Format.BytesPerSample;
        // Base64 can only be cut between 4-character groups (3 bytes), and never inside a sample.
        var unit = _outAudioIsBase64 ? 3 * sampleBytes : sampleBytes;
        var offset = 0;
        while (offset < _outAudioLength)
        {
            var budget = ledger.BytesBeforeNextMark();
            var remainingBytes = _outAudioIsBase64 ? DecodedLength(_outAudio.AsSpan(offset, _outAudioLength - offset)) : _outAudioLength - offset;
            // Split only when the rest overshoots the budget by more than a first chunk: slivers of audio in their
            // own messages cost more messages per second than the extra mark precision is worth.
            var pieceBytes = remainingBytes <= budget + ledger.FirstChunkBytes ? remainingBytes : Math.Max(unit, budget / unit * unit);
            int pieceLength;
            _backendLoopOut.ResetWrittenCount();
            if (_outAudioIsBase64)
            {
                pieceLength = pieceBytes == remainingBytes ? _outAudioLength - offset : pieceBytes / 3 * 4;
                _protocol.WriteMediaBase64(_backendLoopOut, _outAudio.AsSpan(offset, pieceLength));
            }
            else
            {
                pieceLength = pieceBytes;
                _protocol.WriteMedia(_backendLoopOut, _outAudio.AsSpan(offset, pieceLength));
            }

            offset += pieceLength;
            if (!await _carrier.SendTextAsync(_backendLoopOut.WrittenMemory, token).ConfigureAwait(false))
            {
                return;
            }

            if (_firstMediaPending)
            {
                RecordResponseTiming();
            }

            if (ledger.AddSent(pieceBytes))
            {
                await SendMarkAsync(token).ConfigureAwait(false);
            }
        }
    }

    private async Task SendMarkAsync(CancellationToken token)
    {
        var sequence = _ledger!.RegisterMark();
        if (sequence == 0)
        {
            return;
        }

        _backendLoopOut.ResetWrittenCount();
        _protocol.WriteMark(_backendLoopOut, sequence);
        await _carrier.SendTextAsync(_backendLoopOut.WrittenMemory, token).ConfigureAwait(false);
    }

    private async Task HandleBackendEventAsync(ReadOnlyMemory<byte> message, CancellationToken token)
    {
        var evt = RealtimeEventParser.Parse(message.Span);
        if (IsSummaryEvent(evt))
        {
            return;
        }

        switch (evt)
        {
            case SessionEvent { Type: RealtimeServerEventType.SessionUpdated } session:
                if (session.OutputFormat is { } actual && actual != _backendFormat)
                {
                    CallLog.BackendFormatMismatch(_logger, CallId, actual.ToString(), _backendFormat.ToString());
                }

                break;
            case SpeechStartedEvent started:
                // The barge-in itself already ran on the fast path (before this parse).
                Record(CallEventType.CallerSpeechStarted, itemId: started.ItemId);
                break;
            case SpeechStoppedEvent:
                _speechStoppedTimestamp = _messageTimestamp;
                break;
            case InputTranscriptionCompletedEvent transcript:
                Record(CallEventType.CallerTurn, role: "caller", text: transcript.Transcript, itemId: transcript.ItemId);
                break;
            case ResponseCreatedEvent created:
                _responseId = created.ResponseId;
                _responseActive = true;
                OnControlResponseCreated(created.ResponseId);
                break;
            case OutputAudioDoneEvent done:
                // Close the item's playback accounting with a mark so the ledger knows when it finished playing.
                // (A barge-in clears _audioItem and the ledger, so an interrupted item never gets a mark here.)
                if (_audioItem is not null && string.Equals(done.ItemId, _audioItem, StringComparison.Ordinal))
                {
                    await SendMarkAsync(token).ConfigureAwait(false);
                }

                break;
            case OutputTextEvent { Type: RealtimeServerEventType.OutputAudioTranscriptDone or RealtimeServerEventType.OutputTextDone } text:
                var interrupted = _interruptedItems.Remove(text.ItemId, out var heard);
                Record(CallEventType.AgentTurn, role: "agent", text: text.Text, itemId: text.ItemId,
                    interrupted: interrupted, heardMs: interrupted ? heard : null);
                break;
            case FunctionCallArgumentsDoneEvent call:
                _pendingToolCalls.Add(call);
                break;
            case ResponseDoneEvent done:
                await OnResponseDoneAsync(done, token).ConfigureAwait(false);
                break;
            case RealtimeErrorEvent error:
                OnBackendError(error);
                break;
        }
    }

    /// <summary>Journals the latency budget of the item whose first audio just left for the carrier.</summary>
    private void RecordResponseTiming()
    {
        _firstMediaPending = false;
        var now = _time.GetTimestamp();
        var frames = Volatile.Read(ref _inFrames);
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gateway_out_us"] = Micros(now - _firstDeltaTimestamp),
            ["gateway_in_mean_us"] = frames > 0 ? Micros(Volatile.Read(ref _inTotalTicks) / frames) : "0",
            ["gateway_in_max_us"] = Micros(Volatile.Read(ref _inMaxTicks)),
            ["frames_in"] = frames.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (_speechStoppedTimestamp != 0 && _speechStoppedTimestamp < _firstDeltaTimestamp)
        {
            // From the backend's end-of-speech event to its first audio: the backend's own time.
            data["backend_ms"] = (_time.GetElapsedTime(_speechStoppedTimestamp, _firstDeltaTimestamp).TotalMilliseconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        }

        _speechStoppedTimestamp = 0;
        Record(CallEventType.ResponseTiming, itemId: _audioItem, data: data);
    }

    private string Micros(long ticks) =>
        (_time.GetElapsedTime(0, ticks).TotalMicroseconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The caller started speaking. If assistant audio is still unplayed: clear the carrier first (that is
    /// what the caller hears stop), then truncate the item at what the ledger says was heard, and cancel
    /// the response if it is still generating.
    /// </summary>
    private async Task BargeInAsync(CancellationToken token)
    {
        var ledger = _ledger!;
        if (!ledger.HasUnplayedAudio)
        {
            return;
        }

        var hasItem = ledger.TryEstimateHeard(out var itemId, out var heardMs);
        _backendLoopOut.ResetWrittenCount();
        _protocol.WriteClear(_backendLoopOut);
        await _carrier.SendTextAsync(_backendLoopOut.WrittenMemory, token).ConfigureAwait(false);
        // The barge-in latency: speech_started received → clear handed to the carrier socket.
        var clearMicros = Micros(_time.GetTimestamp() - _messageTimestamp);
        ledger.Clear();
        _outbound!.Reset();

        if (_responseActive && _responseId is not null)
        {
            _suppressedResponseUtf8 = System.Text.Encoding.UTF8.GetBytes(_responseId);
            _backendLoopOut.ResetWrittenCount();
            RealtimeClientEvents.WriteResponseCancel(_backendLoopOut);
            await _backend!.SendAsync(_backendLoopOut.WrittenMemory, token).ConfigureAwait(false);
        }

        if (!hasItem)
        {
            return;
        }

        _suppressedItemUtf8 = System.Text.Encoding.UTF8.GetBytes(itemId);
        var generatedMs = string.Equals(itemId, _audioItem, StringComparison.Ordinal) ? _audioItemGeneratedBytes / _protocol.Format.BytesPerMs : heardMs;
        // truncate fails when audio_end_ms exceeds what was generated; the ledger can only lag, but clamp anyway.
        var audioEndMs = Math.Min(heardMs, generatedMs);
        if (_interruptedItems.TryAdd(itemId, audioEndMs))
        {
            _interruptedOrder.Enqueue(itemId);
            while (_interruptedOrder.Count > MaxInterruptedItems)
            {
                _interruptedItems.Remove(_interruptedOrder.Dequeue());
            }
        }
        else
        {
            _interruptedItems[itemId] = audioEndMs;
        }

        _audioItem = null;
        _audioItemUtf8 = [];

        _backendLoopOut.ResetWrittenCount();
        RealtimeClientEvents.WriteTruncate(_backendLoopOut, itemId, 0, audioEndMs);
        await _backend!.SendAsync(_backendLoopOut.WrittenMemory, token).ConfigureAwait(false);

        CallLog.BargeIn(_logger, CallId, itemId, audioEndMs, generatedMs);
        Record(CallEventType.BargeIn, itemId: itemId, heardMs: audioEndMs, generatedMs: generatedMs,
            data: new Dictionary<string, string>(StringComparer.Ordinal) { ["clear_us"] = clearMicros });
    }

    private async Task OnResponseDoneAsync(ResponseDoneEvent done, CancellationToken token)
    {
        if (string.Equals(done.ResponseId, _responseId, StringComparison.Ordinal))
        {
            _responseActive = false;
        }

        if (done.Usage is { } usage)
        {
            Record(CallEventType.Usage, reason: done.Status, data: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["response_id"] = done.ResponseId,
                ["total_tokens"] = usage.TotalTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["input_tokens"] = usage.InputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["output_tokens"] = usage.OutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["input_audio_tokens"] = usage.InputAudioTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["output_audio_tokens"] = usage.OutputAudioTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        OnControlResponseDone(done.ResponseId);
        var calls = _pendingToolCalls.Where(c => string.Equals(c.ResponseId, done.ResponseId, StringComparison.Ordinal)).ToList();
        _pendingToolCalls.RemoveAll(c => string.Equals(c.ResponseId, done.ResponseId, StringComparison.Ordinal));
        // A cancelled or failed response's function calls must have no side effects.
        if (calls.Count > 0 && done.Status == "completed")
        {
            _ = RunToolsAsync(calls, token);
        }
    }

    private async Task RunToolsAsync(List<FunctionCallArgumentsDoneEvent> calls, CancellationToken token)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        try
        {
            foreach (var call in calls)
            {
                var outcome = await _toolRunner!.RunAsync(CallId, call.CallId, call.Name, call.Arguments, token).ConfigureAwait(false);
                var result = outcome.OutputJson;
                Record(CallEventType.ToolCall, text: call.Name, detail: result, reason: outcome.Status, data: new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["call_id"] = call.CallId,
                    ["arguments"] = call.Arguments,
                    ["kind"] = "tool",
                });
                output.ResetWrittenCount();
                RealtimeClientEvents.WriteFunctionCallOutput(output, call.CallId, result);
                await _backend!.SendAsync(output.WrittenMemory, token).ConfigureAwait(false);
            }

            // An end_call or transfer among the calls now waits for this response (the goodbye or the announcement) to play out.
            StartArmedControl(token);
            output.ResetWrittenCount();
            RealtimeClientEvents.WriteResponseCreate(output);
            await _backend!.SendAsync(output.WrittenMemory, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private void OnBackendError(RealtimeErrorEvent error)
    {
        // Cancelling a response the server already stopped (VAD barge-in races our cancel) is expected.
        if (error.Code is "response_cancel_not_active")
        {
            CallLog.BenignBackendError(_logger, CallId, error.Code, error.Message);
            return;
        }

        CallLog.BackendError(_logger, CallId, error.ErrorType, error.Code, error.Message);
        Record(CallEventType.BackendError, reason: error.Code ?? error.ErrorType, detail: error.Message);
    }

    private async Task CloseCarrierAsync(WebSocketCloseStatus status, string reason, string endReason, string? detail = null)
    {
        if (endReason is CallEndReason.CarrierProtocolError or CallEndReason.StartTimeout)
        {
            CallLog.CarrierProtocolViolation(_logger, CallId, (int)status, reason);
        }

        End(endReason, detail ?? reason);
        await _carrier.CloseAsync(status, reason, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
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

    private async Task FinishAsync()
    {
        var durationMs = (long)_time.GetElapsedTime(_startedTimestamp).TotalMilliseconds;
        var reason = _endReason ?? CallEndReason.CarrierClosed;
        if (_start is not null)
        {
            Record(CallEventType.CallEnded, reason: reason, detail: _endDetail, data: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["duration_ms"] = durationMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            CallLog.CallEnded(_logger, CallId, reason, durationMs, _endDetail);
        }

        _registry.Remove(CallId);
        if (_backend is not null)
        {
            await _backend.DisposeAsync().ConfigureAwait(false);
        }

        await _carrier.CloseAsync(WebSocketCloseStatus.NormalClosure, "call ended", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
    }

    private void Record(CallEventType type, string? role = null, string? text = null, string? itemId = null, bool? interrupted = null,
        long? heardMs = null, long? generatedMs = null, string? digit = null, string? reason = null, string? detail = null,
        IReadOnlyDictionary<string, string>? data = null)
    {
        _journal.Append(new CallEvent
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
        });
    }

    private static void AddIfSet(Dictionary<string, string> data, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            data[key] = value;
        }
    }

    private static int DecodedLength(ReadOnlySpan<byte> base64)
    {
        var length = base64.Length / 4 * 3;
        if (base64.Length >= 1 && base64[^1] == (byte)'=')
        {
            length--;
        }

        if (base64.Length >= 2 && base64[^2] == (byte)'=')
        {
            length--;
        }

        return length;
    }

    private static void EnsureCapacity(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            // Grows rarely (larger deltas than seen before); steady state reuses the buffer.
            buffer = new byte[Math.Max(size, buffer.Length * 2)];
        }
    }

    public ValueTask DisposeAsync()
    {
        // RunAsync has already closed both sockets; only the buffers and the token source remain.
        _carrierReader.Dispose();
        _carrier.Dispose();
        _cts.Dispose();
        return ValueTask.CompletedTask;
    }

    private enum CarrierAction
    {
        Continue,
        SendToBackend,
        Start,
        Stop,
        Close,
    }
}
