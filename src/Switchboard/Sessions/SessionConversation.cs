using System.Globalization;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchboard.Agents;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>
/// One client connection to <c>/ws/session</c>, recorded as one call in the journal. The gateway keeps one realtime
/// backend connection (a GA session configured for the mode) for this connection. Typed turns become a user message plus
/// <c>response.create</c>, answered one at a time (later ones wait in a short queue); the agent's text streams back as
/// <c>transcript</c> deltas and a final. In the spoken modes the agent's audio streams back too, the client's
/// microphone audio goes to the backend, and barge-in uses the client's played position (see the Voice part).
/// Two loops run: the client loop (this connection's owner) and the backend loop; whichever ends the conversation
/// first picks the close code, and both stop.
/// </summary>
internal sealed partial class SessionConversation : IAsyncDisposable
{
    /// <summary>Turns typed while the agent is still answering wait here; more than this is refused.</summary>
    private const int MaxPendingTurns = 16;

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly WebSocketSender _clientSender;
    private readonly WebSocketMessageReader _clientReader;
    private readonly SessionOutbox _outbox;
    private readonly SessionServices _services;
    private readonly SessionStart _start;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RealtimeEndpoint _backendEndpoint;
    private readonly CancellationTokenSource _cts = new();
    private readonly DateTimeOffset _startedAt;
    private readonly long _startedTimestamp;
    private long _eventSequence;
    private string? _endReason;
    private string? _endDetail;

    public SessionConversation(WebSocket client, SessionStart start, SessionServices services)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(services);
        _start = start;
        _services = services;
        _logger = services.Logger;
        _time = services.Time;
        _startedAt = _time.GetUtcNow();
        _startedTimestamp = _time.GetTimestamp();
        CallId = "call_" + Guid.NewGuid().ToString("N");
        _clientSender = new WebSocketSender(client);
        _clientReader = new WebSocketMessageReader(client, services.Options.Sessions.MaxMessageBytes);
        _outbox = new SessionOutbox(_clientSender, start.Session.Id, _time);
        var model = start.Endpoint.Spec.Model;
        _backendEndpoint = string.IsNullOrWhiteSpace(model) ? start.Backend : start.Backend.WithModel(model);
    }

    /// <summary>The journal's id for this connection's conversation.</summary>
    public string CallId { get; }

    public Guid SessionId => _start.Session.Id;

    /// <summary>Runs the conversation until the client leaves, hangs up, is superseded, or the session ends.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        using var abortRegistration = aborted.UnsafeRegister(static state => ((SessionConversation)state!).Abort(), this);
        var session = _start.Session;
        var previous = _services.Connections.Register(this);
        _services.Calls.Add(new ActiveCall(CallId, Transports.WebSocket, session.Id.ToString("D"), _startedAt, HangUpAsync));
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CallEventKeys.Carrier] = Transports.WebSocket,
            [CallEventKeys.TeamId] = session.TeamId.ToString("D"),
            [CallEventKeys.EndpointId] = session.EndpointId.ToString("D"),
            [CallEventKeys.SessionId] = session.Id.ToString("D"),
            ["mode"] = session.Mode,
            ["backend"] = _backendEndpoint.Kind,
        };
        if (_start.Flow is { } flow)
        {
            data["flow"] = flow.Name;
        }

        PrepareArtifact(data);
        Record(CallEventType.CallStarted, data: data);
        SessionLog.Connected(_logger, session.Id, CallId, session.EndpointId, session.Mode, _backendEndpoint.Describe());
        if (previous is not null)
        {
            _ = previous.SupersedeAsync();
        }

        var backendTask = Task.CompletedTask;
        try
        {
            await _outbox.SendAsync(SessionMessageTypes.Status, this, static (w, c) =>
            {
                w.WriteString("state"u8, SessionStates.Connected);
                w.WriteString("mode"u8, c._start.Session.Mode);
                w.WriteString("endpointId"u8, c._start.Session.EndpointId.ToString("D"));
                w.WriteString("callId"u8, c.CallId);
                if (c._start.Flow is { } f)
                {
                    w.WriteString("flow"u8, f.Name);
                }

                if (c.Speaks)
                {
                    w.WriteStartObject("audio"u8);
                    w.WriteString("encoding"u8, "pcm16"u8);
                    w.WriteStartArray("inputSampleRates"u8);
                    if (c.TakesAudio)
                    {
                        w.WriteNumberValue(16000);
                        w.WriteNumberValue(24000);
                    }

                    w.WriteEndArray();
                    w.WriteNumber("outputSampleRate"u8, BackendAudio.SampleRate);
                    w.WriteEndObject();
                }
            }, _cts.Token).ConfigureAwait(false);
            backendTask = Task.Run(RunBackendAsync, CancellationToken.None);
            _ = EnforceDeadlineAsync();
            await RunClientLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SessionLog.UnexpectedFailure(_logger, SessionId, ex);
            await EndAsync(SessionCloseCodes.InternalError, "internal error", CallEndReason.InternalError, ex.GetType().Name).ConfigureAwait(false);
        }
        finally
        {
            await SummarizeBeforeCloseAsync().ConfigureAwait(false);
            await _cts.CancelAsync().ConfigureAwait(false);
            await backendTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await FinishAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A newer connection took over this session: close with 4000.</summary>
    public Task SupersedeAsync()
    {
        SessionLog.Superseded(_logger, SessionId, CallId);
        return EndAsync(SessionCloseCodes.Superseded, "superseded by a newer connection", CallEndReason.Superseded);
    }

    /// <summary>Ends the conversation from outside (gateway shutdown): 1001 with the reason.</summary>
    private Task HangUpAsync(string reason) =>
        EndAsync((int)WebSocketCloseStatus.EndpointUnavailable, reason, CallEndReason.GatewayShutdown);

    /// <summary>
    /// Ends the conversation once (the first reason wins): sends the close frame, then gives the client
    /// <see cref="CloseGrace"/> to answer it before both loops are cancelled.
    /// </summary>
    private async Task EndAsync(int closeCode, string closeReason, string endReason, string? detail = null)
    {
        if (Interlocked.CompareExchange(ref _endReason, endReason, null) is not null)
        {
            return;
        }

        _endDetail = detail ?? (closeReason.Length > 0 ? closeReason : null);
        await _clientSender.CloseAsync((WebSocketCloseStatus)closeCode, closeReason, CloseGrace).ConfigureAwait(false);
        try
        {
            _cts.CancelAfter(CloseGrace);
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    private void Abort()
    {
        Interlocked.CompareExchange(ref _endReason, CallEndReason.CarrierClosed, null);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the conversation when the session expires (4003) or the longest conversation is reached (1000).</summary>
    private async Task EnforceDeadlineAsync()
    {
        var spec = _start.Endpoint.Spec;
        var maxSeconds = spec.Limits?.MaxCallSeconds is > 0 ? spec.Limits.MaxCallSeconds : _services.Options.Bridge.MaxCallSeconds;
        var untilExpiry = _start.Session.ExpiresAt - _time.GetUtcNow();
        var expiryFirst = maxSeconds <= 0 || untilExpiry <= TimeSpan.FromSeconds(maxSeconds);
        var wait = expiryFirst ? untilExpiry : TimeSpan.FromSeconds(maxSeconds);
        try
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, _cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (expiryFirst)
        {
            await EndAsync(SessionCloseCodes.Forbidden, "session expired", CallEndReason.SessionExpired).ConfigureAwait(false);
        }
        else
        {
            await EndAsync((int)WebSocketCloseStatus.NormalClosure, "maximum conversation duration reached", CallEndReason.MaxDuration).ConfigureAwait(false);
        }
    }

    private async Task FinishAsync()
    {
        var durationMs = (long)_time.GetElapsedTime(_startedTimestamp).TotalMilliseconds;
        var reason = _endReason ?? CallEndReason.CarrierClosed;
        Record(CallEventType.CallEnded, reason: reason, detail: _endDetail, data: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["duration_ms"] = durationMs.ToString(CultureInfo.InvariantCulture),
        });
        SessionLog.Ended(_logger, SessionId, CallId, reason, durationMs, _endDetail);
        _services.Calls.Remove(CallId);
        _services.Connections.Unregister(this);
        if (Interlocked.Exchange(ref _backend, null) is { } backend)
        {
            await backend.DisposeAsync().ConfigureAwait(false);
        }

        await _clientSender.CloseAsync(WebSocketCloseStatus.NormalClosure, "session ended", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
    }

    private void Record(CallEventType type, string? role = null, string? text = null, string? itemId = null, string? reason = null,
        string? detail = null, IReadOnlyDictionary<string, string>? data = null, bool? interrupted = null, long? heardMs = null, long? generatedMs = null)
    {
        _services.Journal.Append(new CallEvent
        {
            CallId = CallId,
            Sequence = Interlocked.Increment(ref _eventSequence),
            At = _time.GetUtcNow(),
            Type = type,
            Role = role,
            Text = text,
            ItemId = itemId,
            Reason = reason,
            Detail = detail,
            Data = data,
            Interrupted = interrupted,
            HeardMs = heardMs,
            GeneratedMs = generatedMs,
        });
    }

    /// <summary>Item ids the gateway gives user turns and greetings (the backend accepts client-chosen ids up to 32 characters).</summary>
    private static string NewItemId() => "msg_" + Guid.NewGuid().ToString("N")[..24];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _backend, null) is { } backend)
        {
            await backend.DisposeAsync().ConfigureAwait(false);
        }

        _clientReader.Dispose();
        _outbox.Dispose();
        _clientSender.Dispose();
        _cts.Dispose();
    }

    /// <summary>A typed user turn waiting for the agent.</summary>
    private readonly record struct PendingTurn(string ItemId, string Text);
}
