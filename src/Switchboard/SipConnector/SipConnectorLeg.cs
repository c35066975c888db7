using Switchboard.Agents;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.SipConnector;

/// <summary>
/// A phone call through the OpenAI or Azure Realtime SIP connector: the carrier's media flows between the caller and the
/// connector, so this leg carries no audio and the gateway is the call's control plane. It begins from the signed
/// <c>realtime.call.incoming</c> webhook; after admission it answers with the agent's session (<c>accept</c>), and the call's
/// sideband (<c>…/realtime?call_id=…</c>) is its agent leg. A refusal is a <c>reject</c> (486 when a limit refuses, 603
/// when the endpoint does not take the call); a transfer is a <c>refer</c>; the end is a <c>hangup</c> unless the caller
/// has already gone. The leg's own "receive" waits for the call to close: there is no caller socket.
/// </summary>
internal sealed class SipConnectorLeg : IRemoteMediaLeg
{
    /// <summary>SIP 486 Busy Here: a limit refused the call (busy, budget, draining).</summary>
    public const int Busy = 486;

    /// <summary>SIP 603 Decline: the endpoint does not take the call.</summary>
    public const int Declined = 603;

    /// <summary>SIP 503 Service Unavailable: the gateway cannot run the call.</summary>
    public const int Unavailable = 503;

    /// <summary>A close that sends nothing: the caller is gone, or the call now belongs to a transfer.</summary>
    public const int NothingToSend = 0;

    private readonly SipWebhookEvent _event;
    private readonly string _webhookId;
    private readonly CallStartInfo _start;
    private readonly ISipCallControl _control;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Task? _closing;
    private Task<RemoteAnswer>? _answering;
    private volatile bool _accepted;
    private volatile bool _hungUp;

    public SipConnectorLeg(SipWebhookEvent incoming, string webhookId, IReadOnlyDictionary<string, string> parameters, ISipCallControl control)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        _event = incoming;
        _webhookId = webhookId;
        _control = control;
        _start = new CallStartInfo
        {
            CarrierCallId = incoming.CallId,
            From = SipHeaders.CallerNumber(incoming.SipHeaders),
            To = SipHeaders.DialledNumber(incoming.SipHeaders),
            Parameters = parameters,
            // The parameters come from the webhook URL the operator registered with the connector, delivered in a request the
            // connector signed (or, in the insecure mode, from a loopback-only gateway): an endpointId there needs no token.
            ParametersSigned = true,
            Format = AudioFormat.MuLaw8k,
        };
    }

    /// <summary>The connector's id of the call (<c>rtc_…</c>, opaque).</summary>
    public string SipCallId => _event.CallId!;

    public string Channel => Transports.Sip;

    /// <summary>The connector closed the call's sideband with a close frame: it ended the call.</summary>
    public string LostEndReason => CallEndReason.CarrierClosed;

    /// <summary>Nominal only: no audio passes through this leg (the SIP negotiation chose the call's codec).</summary>
    public AudioFormat Format => AudioFormat.MuLaw8k;

    /// <summary>The agent speaks and hears the caller (at the connector), and a call can be referred elsewhere.</summary>
    public CallerLegCapabilities Capabilities => CallerLegCapabilities.CallerAudio | CallerLegCapabilities.AgentAudio | CallerLegCapabilities.Transfer;

    public DateTimeOffset? ExpiresAt => null;

    /// <summary>The webhook is the call's start: it begins at once.</summary>
    public Task<CallerLegStart> StartAsync(string callId, CancellationToken cancellationToken) => Task.FromResult(new CallerLegStart(_start));

    public ValueTask OnAdmittedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Accepts the call with the session; the model is the endpoint's, else the connector's default (Azure: the deployment).
    /// A call already being closed is not accepted any more.
    /// </summary>
    public Task<RemoteAnswer> AnswerAsync(RealtimeSessionSettings session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            if (_closing is not null)
            {
                return Task.FromResult(new RemoteAnswer(new CallControlResult(CallControlStatus.Refused, "the call ended before it was answered"), null));
            }

            return _answering = AcceptAsync(session, cancellationToken);
        }
    }

    private async Task<RemoteAnswer> AcceptAsync(RealtimeSessionSettings session, CancellationToken cancellationToken)
    {
        var model = string.IsNullOrEmpty(session.Model) ? _control.DefaultModel : session.Model;
        var result = await _control.AcceptAsync(SipCallId, session with { Model = model, NegotiatedFormats = true }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return new RemoteAnswer(result, null);
        }

        _accepted = true;
        return new RemoteAnswer(result with { Detail = "the call was accepted" }, _control.Sideband(SipCallId, model));
    }

    /// <summary>
    /// What closing the call sends for each end: the SIP status a call not yet accepted is rejected with (<see cref="Busy"/>
    /// for limits, <see cref="Declined"/> for the endpoint, <see cref="Unavailable"/> otherwise; an accepted call is hung up
    /// instead), or <see cref="NothingToSend"/> when the caller has gone or the call was referred.
    /// </summary>
    public (int Code, string Reason) CloseFor(string endReason, string text) => endReason switch
    {
        CallEndReason.Refused => (Busy, text),
        CallEndReason.EndpointRejected => (Declined, text),
        CallEndReason.CallerHangup or CallEndReason.Transferred => (NothingToSend, text),
        _ => (Unavailable, text),
    };

    /// <summary>Waits for the call to close (no caller socket): then reads "closed".</summary>
    public async ValueTask<ReceiveStatus> ReceiveAsync(CancellationToken cancellationToken)
    {
        await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ReceiveStatus.Closed;
    }

    public CallerFrameKind TryReadFrame(ReceiveStatus status, out CallerFrame frame)
    {
        frame = default;
        return frame.End(LostEndReason, NothingToSend, "call closed", "the call closed");
    }

    public ValueTask RunPendingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Never called for this leg: the connector plays the agent's audio itself.</summary>
    public ValueTask<bool> SendAudioAsync(string itemId, ReadOnlyMemory<byte> audio, bool isBase64, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public ValueTask AgentAudioDoneAsync(string itemId, long generatedMs, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Nothing is queued here: the connector stops its own audio on barge-in.</summary>
    public string? UnplayedItem => null;

    public ValueTask<ClearedPlayout> ClearAsync(string? itemId, string reason, long knownHeardMs, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ClearedPlayout(Math.Max(0, knownHeardMs), "backend"));

    public long EstimateHeard(string itemId) => 0;

    /// <summary>Nothing plays here: the bridge waits for the connector's playout instead (<see cref="RemotePlayout"/>).</summary>
    public Task WaitForPlayoutAsync(TimeSpan cap, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask ShowStateAsync(string state, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask ShowTranscriptAsync(string role, string text, bool final, string itemId, long? heardMs, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask ShowErrorAsync(string code, string message, string? backendCode, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public Task<string> RunActionAsync(string callId, string name, string argumentsJson, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a phone call runs no browser actions");

    /// <summary>Hangs the call up at the connector (once); describes the outcome.</summary>
    public async Task<string?> HangUpAsync(CancellationToken cancellationToken)
    {
        if (!_accepted)
        {
            return null;
        }

        lock (_gate)
        {
            if (_hungUp)
            {
                return CallBridge.Describe(CallControlStatus.Done);
            }

            _hungUp = true;
        }

        var result = await _control.HangUpAsync(SipCallId, cancellationToken).ConfigureAwait(false);
        return CallBridge.Describe(result.Status);
    }

    /// <summary>
    /// A SIP REFER to the target: <c>sip:</c>/<c>sips:</c>/<c>tel:</c> URIs as given, an E.164 number as <c>tel:</c>. The
    /// connector answers once the REFER is handed to the SIP provider and reports no outcome after that.
    /// </summary>
    public async Task<CallControlResult> TransferAsync(string to, string? callerId, CancellationToken cancellationToken)
    {
        var target = TargetUri(to);
        var result = await _control.ReferAsync(SipCallId, target, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? result with { Detail = $"REFER to {target} handed to the SIP provider; the connector reports no outcome beyond this" }
            : result;
    }

    /// <summary>The REFER target for a transfer target's <c>to</c>.</summary>
    internal static string TargetUri(string to) =>
        to.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || to.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)
        || to.StartsWith("tel:", StringComparison.OrdinalIgnoreCase)
            ? to
            : "tel:" + to;

    /// <summary>
    /// Closes the call once: a call not accepted gets a <c>reject</c> with the SIP status in <paramref name="code"/> (300–699,
    /// else 503), an accepted one a <c>hangup</c> (unless <see cref="NothingToSend"/>); then the leg reads "closed". An accept
    /// in flight is waited for first, so a call accepted meanwhile is hung up rather than left running.
    /// </summary>
    public Task CloseAsync(int code, string reason)
    {
        lock (_gate)
        {
            _closing ??= CloseOnceAsync(code);
            return _closing;
        }
    }

    private async Task CloseOnceAsync(int code)
    {
        try
        {
            if (_answering is { } answering)
            {
                await ((Task)answering).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (code == NothingToSend)
            {
                return;
            }

            if (!_accepted)
            {
                await _control.RejectAsync(SipCallId, code is >= 300 and <= 699 ? code : Unavailable, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await HangUpAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    /// <summary>The call's facts for its record: the connector's call id, the numbers, the SIP <c>Call-ID</c> and the carrier's <c>X-</c> headers.</summary>
    public void DescribeStart(IDictionary<string, string> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Add(data, CallEventKeys.CarrierCallId, _start.CarrierCallId);
        Add(data, CallEventKeys.From, _start.From);
        Add(data, CallEventKeys.To, _start.To);
        Add(data, "sip_call_id", SipHeaders.Find(_event.SipHeaders, "Call-ID"));
        Add(data, "webhook_id", _webhookId);
        foreach (var (name, value) in _event.SipHeaders)
        {
            if (name.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
            {
                Add(data, "sip_" + name.ToLowerInvariant(), value);
            }
        }
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
        _closed.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
