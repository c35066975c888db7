using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Audio;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Telemetry;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>
/// One connection of a <c>listen</c> session to <c>/ws/session</c>: it follows a live call of the session's team and sends
/// nothing to it. The listener hears both sides (the call's tap, <see cref="CallTapListener"/>, transcoded to PCM16 24 kHz),
/// reads the transcript as it is journalled (the same <see cref="CallEventFeed"/> the operations page reads, after the turns
/// so far), and gets <c>call_ended</c> and a 1000 close when the call ends. What it sends besides <c>ping</c> and
/// <c>hangup</c> gets an <c>error</c> <c>listen_only</c> and is dropped. Leaving never affects the call. See docs/sessions.md.
/// </summary>
internal sealed class ListenSession : IDisposable
{
    /// <summary>What a listener is sent, whatever the call's own formats: the agent audio format of the other session modes.</summary>
    private static readonly AudioFormat Output = AudioFormat.Pcm24k;

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SessionRecord _session;
    private readonly string _callId;
    private readonly CallRegistry _registry;
    private readonly CallEventFeed _feed;
    private readonly ICallJournal _journal;
    private readonly SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebSocket _socket;
    private readonly WebSocketSender _sender;
    private readonly SessionOutbox _outbox;

    // The audio pump's scratch: decoded input, and the PCM16 24 kHz output of each side's transcoder.
    private byte[] _decoded = [];
    private byte[] _pcm = [];
    private AudioTranscoder? _callerAudio;
    private AudioTranscoder? _agentAudio;

    public ListenSession(WebSocket socket, SessionRecord session, string callId, CallRegistry registry, CallEventFeed feed, ICallJournal journal,
        SessionOptions options, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _session = session;
        _callId = callId;
        _registry = registry;
        _feed = feed;
        _journal = journal;
        _options = options;
        _time = time;
        _logger = logger;
        _sender = new WebSocketSender(socket);
        _outbox = new SessionOutbox(_sender, session.Id, time);
    }

    /// <summary>Follows the call until it ends, the listener leaves or the session expires. Never throws for a listener's failure.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        // Watch before anything is read, so no turn falls between the turns so far and the live ones.
        using var watch = _feed.Watch();
        if (!_registry.TryGet(_callId, out var call) || call!.TeamId != _session.TeamId || call.Tap is not { } tap)
        {
            await RefuseAsync(SessionCloseCodes.CallNotFound, "call not live on this node").ConfigureAwait(false);
            return;
        }

        switch (tap.TryAttach(out var attached))
        {
            case TapAttachStatus.Full:
                await RefuseAsync(SessionCloseCodes.TooManyRequests, $"busy: {CallTap.MaxListeners} listeners already follow this call").ConfigureAwait(false);
                return;
            case TapAttachStatus.Ended:
                await RefuseAsync(SessionCloseCodes.CallNotFound, "call ended").ConfigureAwait(false);
                return;
        }

        using var listener = attached!;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var token = stop.Token;
        ListenLog.Started(_logger, _session.Id, _callId, tap.Count);
        var why = "the connection was lost";
        Task? audio = null;
        Task? events = null;
        Task<(int Code, string Reason, string Why)>? receive = null;
        using var stopEvents = CancellationTokenSource.CreateLinkedTokenSource(token);
        try
        {
            await SendConnectedAsync(call, tap, token).ConfigureAwait(false);
            var seen = await SendTurnsSoFarAsync(token).ConfigureAwait(false);

            var eventsPump = PumpEventsAsync(watch, seen, stopEvents.Token, token);
            events = eventsPump;
            audio = PumpAudioAsync(listener, token);
            receive = ReceiveAsync(token);
            var left = _session.ExpiresAt - _time.GetUtcNow();
            var expiry = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time, token);
            var first = await Task.WhenAny(audio, receive, expiry).ConfigureAwait(false);
            if (first == audio && listener.EndReason is { } endReason)
            {
                // Every turn of the call was published before its tap closed: send what the events pump has not yet sent.
                await stopEvents.CancelAsync().ConfigureAwait(false);
                seen = await eventsPump.ConfigureAwait(false);
                while (watch.Reader.TryRead(out var late))
                {
                    seen = await ShowAsync(late, seen, token).ConfigureAwait(false);
                }

                await _outbox.SendAsync(SessionMessageTypes.CallEnded, (endReason, listener.Dropped), static (w, s) =>
                {
                    w.WriteString("reason"u8, s.endReason);
                    w.WriteNumber("droppedAudioChunks"u8, s.Dropped);
                }, token).ConfigureAwait(false);
                var closeStatus = endReason == CallEndReason.GatewayShutdown ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure;
                await _sender.CloseAsync(closeStatus, "call ended", CloseGrace).ConfigureAwait(false);
                why = "the call ended (" + endReason + ")";
            }
            else if (first == receive)
            {
                var (code, reason, leaving) = await receive.ConfigureAwait(false);
                why = leaving;
                if (code != 0)
                {
                    await _sender.CloseAsync((WebSocketCloseStatus)code, reason, CloseGrace).ConfigureAwait(false);
                }
            }
            else if (first == expiry && !token.IsCancellationRequested)
            {
                await _sender.CloseAsync((WebSocketCloseStatus)SessionCloseCodes.Forbidden, "session expired", CloseGrace).ConfigureAwait(false);
                why = "the session expired";
            }

            // Let the listener answer the close, then stop whatever still runs.
            await ((Task)receive.WaitAsync(CloseGrace, _time, CancellationToken.None)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            ListenLog.Failed(_logger, _session.Id, _callId, ex);
            await _sender.CloseAsync((WebSocketCloseStatus)SessionCloseCodes.InternalError, "internal error", CloseGrace).ConfigureAwait(false);
            why = "internal error";
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var task in new[] { audio, events, receive })
            {
                if (task is not null)
                {
                    await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            ListenLog.Ended(_logger, _session.Id, _callId, why, listener.Dropped);
        }
    }

    private async Task RefuseAsync(int code, string reason)
    {
        ListenLog.Refused(_logger, _session.Id, _callId, reason);
        await _sender.CloseAsync((WebSocketCloseStatus)code, reason, CloseGrace).ConfigureAwait(false);
    }

    /// <summary>The first message: <c>status connected</c>, naming the call and (when its audio passes through here) the audio format.</summary>
    private ValueTask<bool> SendConnectedAsync(ActiveCall call, CallTap tap, CancellationToken token) =>
        _outbox.SendAsync(SessionMessageTypes.Status, (this, call, tap.CarriesAudio), static (w, s) =>
        {
            w.WriteString("state"u8, CallerStates.Connected);
            w.WriteString("mode"u8, s.Item1._session.Mode);
            w.WriteString("endpointId"u8, s.call.EndpointId.ToString("D"));
            w.WriteString("callId"u8, s.call.CallId);
            w.WriteString("channel"u8, s.call.Carrier);
            if (s.CarriesAudio)
            {
                w.WriteStartObject("audio"u8);
                w.WriteString("encoding"u8, "pcm16"u8);
                w.WriteNumber("sampleRate"u8, Output.SampleRate);
                w.WriteStartArray("sources"u8);
                w.WriteStringValue("caller"u8);
                w.WriteStringValue("agent"u8);
                w.WriteEndArray();
                w.WriteEndObject();
            }
        }, token);

    /// <summary>The call's turns so far, from the journal; returns the last sequence sent, so the live ones do not repeat them.</summary>
    private async Task<long> SendTurnsSoFarAsync(CancellationToken token)
    {
        long seen = 0;
        foreach (var past in await _journal.ReadAsync(_callId, token).ConfigureAwait(false))
        {
            seen = await ShowAsync(past, seen, token).ConfigureAwait(false);
        }

        return seen;
    }

    /// <summary>Sends the call's turns as they are journalled until <paramref name="stopWaiting"/>; returns the last sequence sent.</summary>
    private async Task<long> PumpEventsAsync(CallEventWatch watch, long seen, CancellationToken stopWaiting, CancellationToken token)
    {
        try
        {
            // Only the waiting stops early: a turn already taken from the queue is still sent.
            while (await watch.Reader.WaitToReadAsync(stopWaiting).ConfigureAwait(false))
            {
                while (watch.Reader.TryRead(out var e))
                {
                    seen = await ShowAsync(e, seen, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return seen;
    }

    /// <summary>A caller or agent turn of the call as a final <c>transcript</c> (the shape of the other modes); other events are skipped.</summary>
    private async Task<long> ShowAsync(CallEvent e, long seen, CancellationToken token)
    {
        if (!string.Equals(e.CallId, _callId, StringComparison.Ordinal) || e.Sequence <= seen)
        {
            return seen;
        }

        if (e.Type is CallEventType.CallerTurn or CallEventType.AgentTurn && !string.IsNullOrEmpty(e.Text))
        {
            var role = e.Type == CallEventType.CallerTurn ? "user" : "agent";
            long? heardMs = e.Interrupted == true ? e.HeardMs ?? 0 : null;
            await _outbox.SendTranscriptAsync(role, e.Text, final: true, e.ItemId ?? "", token, heardMs).ConfigureAwait(false);
        }

        return e.Sequence;
    }

    /// <summary>Sends the call's audio as it comes, until the call ends (the queue completes) or the listener leaves.</summary>
    private async Task PumpAudioAsync(CallTapListener listener, CancellationToken token)
    {
        try
        {
            while (await listener.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (listener.TryRead(out var chunk))
                {
                    try
                    {
                        var length = Transcode(chunk);
                        if (length > 0)
                        {
                            await _outbox.SendAsync(SessionMessageTypes.Audio, (this, chunk.Source, chunk.ItemId, length), static (w, s) =>
                            {
                                w.WriteString("source"u8, s.Source == TapSource.Caller ? "caller"u8 : "agent"u8);
                                if (s.ItemId is not null)
                                {
                                    w.WriteString("itemId"u8, s.ItemId);
                                }

                                w.WriteBase64String("audio"u8, s.Item1._pcm.AsSpan(0, s.length));
                                w.WriteNumber("sampleRate"u8, Output.SampleRate);
                            }, token).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        CallTapListener.Release(chunk);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A chunk in PCM16 24 kHz in <see cref="_pcm"/> (each side keeps its transcoder's history); its length, 0 when unreadable.</summary>
    private int Transcode(TapAudio chunk)
    {
        var input = chunk.Span;
        if (chunk.IsBase64)
        {
            Grow(ref _decoded, Base64.GetMaxDecodedFromUtf8Length(input.Length));
            if (Base64.DecodeFromUtf8(input, _decoded, out _, out var decoded) != OperationStatus.Done)
            {
                return 0;
            }

            input = _decoded.AsSpan(0, decoded);
        }

        var transcoder = chunk.Source == TapSource.Caller ? _callerAudio : _agentAudio;
        if (transcoder is null || transcoder.From != chunk.Format)
        {
            transcoder = new AudioTranscoder(chunk.Format, Output);
            if (chunk.Source == TapSource.Caller)
            {
                _callerAudio = transcoder;
            }
            else
            {
                _agentAudio = transcoder;
            }
        }

        Grow(ref _pcm, transcoder.MaxOutputBytes(input.Length));
        return transcoder.Transcode(input, _pcm);
    }

    /// <summary>
    /// Reads the listener's messages until it leaves: <c>ping</c> is answered, <c>hangup</c> ends the listening, anything else
    /// gets an <c>error</c> and is dropped. Returns the close to send (code 0: none, the connection is gone) and why it ended.
    /// </summary>
    private async Task<(int Code, string Reason, string Why)> ReceiveAsync(CancellationToken token)
    {
        using var reader = new WebSocketMessageReader(_socket, _options.MaxMessageBytes);
        try
        {
            while (true)
            {
                var status = await reader.ReadAsync(token).ConfigureAwait(false);
                switch (status)
                {
                    case ReceiveStatus.Closed:
                        return ((int)WebSocketCloseStatus.NormalClosure, "", "the listener closed the connection");
                    case ReceiveStatus.TooLarge:
                        return ((int)WebSocketCloseStatus.MessageTooBig, $"message exceeds {_options.MaxMessageBytes} bytes", "a message was too large");
                    case ReceiveStatus.Binary:
                        await SendErrorAsync(new SessionError(SessionErrorCodes.BinaryNotSupported, "binary messages are not supported; send JSON text"), token).ConfigureAwait(false);
                        continue;
                }

                var (kind, error) = Classify(reader.Message);
                switch (kind)
                {
                    case ListenerMessage.Ping:
                        await _outbox.SendAsync(SessionMessageTypes.Pong, 0, static (_, _) => { }, token).ConfigureAwait(false);
                        break;
                    case ListenerMessage.Hangup:
                        return ((int)WebSocketCloseStatus.NormalClosure, "hangup", "the listener hung up");
                    default:
                        await SendErrorAsync(error!, token).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return (0, "", "stopped");
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            return (0, "", "the connection was lost");
        }
    }

    private ValueTask<bool> SendErrorAsync(SessionError error, CancellationToken token)
    {
        SessionLog.ClientError(_logger, _session.Id, error.Code);
        return _outbox.SendErrorAsync(error, token);
    }

    /// <summary>
    /// What a listener's message is. Only <c>ping</c> and <c>hangup</c> are a listener's; audio, turns, playback reports and
    /// the rest (well formed or not) are <c>listen_only</c>; a message that is not a JSON object with a type keeps its own error.
    /// </summary>
    internal static (ListenerMessage Kind, SessionError? Error) Classify(ReadOnlyMemory<byte> message)
    {
        if (SessionAudioScanner.Scan(message.Span, out _, out _, out _, out _) != SessionAudioScan.NotAudio)
        {
            return (ListenerMessage.Refused, ListenOnly);
        }

        if (SessionClientMessages.TryParse(message, out var parsed, out var error))
        {
            return parsed.Kind switch
            {
                SessionClientMessageKind.Ping => (ListenerMessage.Ping, null),
                SessionClientMessageKind.Hangup => (ListenerMessage.Hangup, null),
                _ => (ListenerMessage.Refused, ListenOnly),
            };
        }

        return error!.Code is SessionErrorCodes.InvalidJson or SessionErrorCodes.InvalidMessage ? (ListenerMessage.Refused, error) : (ListenerMessage.Refused, ListenOnly);
    }

    private static readonly SessionError ListenOnly = new(SessionErrorCodes.ListenOnly,
        "a listen session only listens: it may send ping and hangup; this message was ignored and did not reach the call");

    private static void Grow(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            buffer = new byte[Math.Max(size, buffer.Length * 2)];
        }
    }

    public void Dispose()
    {
        _outbox.Dispose();
        _sender.Dispose();
    }

    /// <summary>What a listener's message asks for.</summary>
    internal enum ListenerMessage
    {
        Refused,
        Ping,
        Hangup,
    }
}
