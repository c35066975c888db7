using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Calls;

/// <summary>
/// The built-in call-control tools, on every channel. <c>end_call</c> and <c>transfer_call</c>/<c>handoff_human</c> answer
/// the model at once (say goodbye / announce the transfer) and arm one action; the action runs when the response that
/// answers the tool output is done and the caller has heard its audio (the leg's playout: a carrier's marks, a browser's
/// reports), each wait capped. Then <c>end_call</c> hangs up at the carrier (when the leg has one) and closes the leg;
/// a transfer goes through the carrier's API, and its outcome is journalled — accepted ends the call, failed is told to
/// the model so it can tell the caller. A leg without a phone line answers transfers with <c>transfer_not_supported</c>.
/// </summary>
internal sealed partial class CallBridge
{
    /// <summary>Longest wait for the response that says goodbye or announces the transfer.</summary>
    private static readonly TimeSpan ControlResponseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Longest wait for that response's audio to be heard.</summary>
    private static readonly TimeSpan PlayoutTimeout = TimeSpan.FromSeconds(15);

    private readonly Lock _controlGate = new();

    /// <summary>The armed end or transfer (at most one at a time); cleared when a transfer fails so the model may try again.</summary>
    private PendingControl? _control;

    /// <summary>Set once the call is being ended or has been transferred: no further action is armed.</summary>
    private bool _controlFinal;

    /// <summary>Runs the built-ins of this call and hands every other tool to the gateway's invoker.</summary>
    private sealed class BridgeToolInvoker(CallBridge bridge, IToolInvoker inner) : IToolInvoker
    {
        public Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
        {
            if (call.Spec is not { } spec || !BuiltInTools.IsBuiltIn(spec))
            {
                return inner.InvokeAsync(call, cancellationToken);
            }

            if (BuiltInTools.IsTransfer(spec) && !bridge._capabilities.HasFlag(CallerLegCapabilities.Transfer))
            {
                throw new ToolFailedException("transfer_not_supported", ToolOutcome.Error("transfer_not_supported",
                    "This conversation is not a phone call, so it cannot be transferred. Offer to help another way.").OutputJson);
            }

            return Task.FromResult(bridge.ArmCallControl(call, spec));
        }
    }

    /// <summary>Arms the action and returns the output that tells the model what to say; a refusal throws with its structured error.</summary>
    private string ArmCallControl(ToolCall call, ToolSpec spec)
    {
        var isEnd = BuiltInTools.IsEndCall(spec);
        TransferTargetSpec? target = null;
        string? reason;
        if (isEnd)
        {
            reason = BuiltInTools.Reason(call.ArgumentsJson);
        }
        else
        {
            target = BuiltInTools.ResolveTarget(_agent!.Spec.Transfer, call.ArgumentsJson, out reason, out var problem);
            if (target is null)
            {
                throw new ToolFailedException("target_not_allowed", ToolOutcome.Error("target_not_allowed", "The transfer was refused: " + problem + ".").OutputJson);
            }
        }

        lock (_controlGate)
        {
            if (_control is not null || _controlFinal)
            {
                throw new ToolFailedException("call_control_busy", ToolOutcome.Error("call_control_busy",
                    "The call is already being ended or transferred.").OutputJson);
            }

            _control = new PendingControl(isEnd, call.ToolCallId, target, reason);
        }

        return JsonText.Object(w =>
        {
            w.WriteBoolean("ok"u8, true);
            if (isEnd)
            {
                w.WriteString("action"u8, "end_call"u8);
                w.WriteString("message"u8, "Say one short goodbye now. The call is hung up when you finish speaking."u8);
            }
            else
            {
                w.WriteString("action"u8, "transfer"u8);
                w.WriteString("target"u8, target!.Name);
                w.WriteString("message"u8, $"Tell the caller in one short sentence that you are transferring them ({target.Name}) now. The transfer starts when you finish speaking.");
            }
        });
    }

    /// <summary>
    /// Called by the tool task just before it asks for the response that answers the outputs: an armed action starts
    /// waiting for that response, then for its playout.
    /// </summary>
    private void StartArmedControl(CancellationToken token)
    {
        PendingControl? control;
        lock (_controlGate)
        {
            control = _control;
            if (control is null || control.Started)
            {
                return;
            }

            control.Started = true;
        }

        control.AwaitingResponse = true;
        _ = RunControlAsync(control, token);
    }

    /// <summary>Backend loop: the response asked for after the tool output has been created.</summary>
    private void OnControlResponseCreated(string responseId)
    {
        if (Volatile.Read(ref _control) is { AwaitingResponse: true, ResponseId: null } control)
        {
            control.ResponseId = responseId;
        }
    }

    /// <summary>Backend loop: a response finished; if it is the goodbye or the announcement, the action may go ahead after playout.</summary>
    private void OnControlResponseDone(string responseId)
    {
        if (Volatile.Read(ref _control) is { } control && string.Equals(control.ResponseId, responseId, StringComparison.Ordinal))
        {
            control.ResponseDone.TrySetResult();
        }
    }

    private async Task RunControlAsync(PendingControl control, CancellationToken token)
    {
        try
        {
            try
            {
                await control.ResponseDone.Task.WaitAsync(ControlResponseTimeout, _time, token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The backend never answered: act anyway rather than leave the caller on a silent line.
            }

            await WaitForPlayoutAsync(PlayoutTimeout, token).ConfigureAwait(false);
            if (control.IsEnd)
            {
                await EndByAgentAsync(control, token).ConfigureAwait(false);
            }
            else
            {
                await TransferAsync(control, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The call ended first (the caller hung up): nothing to do.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // A socket went away; the loops end the call with the reason.
        }
    }

    private async Task EndByAgentAsync(PendingControl control, CancellationToken token)
    {
        var why = control.Reason is { Length: > 0 } r ? "the agent ended the call: " + r : "the agent ended the call";
        await EndForAsync(CallEndReason.AgentEnded, why, "agent ended the call", token).ConfigureAwait(false);
    }

    private async Task TransferAsync(PendingControl control, CancellationToken token)
    {
        var target = control.Target!;
        var spec = _agent!.Spec;
        var result = await _leg.TransferAsync(target.To, spec.Transfer?.CallerId, token).ConfigureAwait(false);
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["target"] = target.Name,
            ["to"] = target.To,
            ["status"] = Describe(result.Status),
            ["tool_call_id"] = control.ToolCallId,
        };
        if (result.HttpStatus is { } http)
        {
            data["http_status"] = http.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        AddIfSet(data, "reason", control.Reason);
        CallLog.TransferOutcome(_logger, CallId, target.Name, Describe(result.Status));
        if (result.Succeeded)
        {
            lock (_controlGate)
            {
                _controlFinal = true;
            }

            Record(CallEventType.Transfer, text: target.Name, reason: "accepted", detail: result.Detail, data: data);
            // The carrier now runs the transfer (Twilio replaces the stream's TwiML and sends stop); this leg is over.
            if (End(CallEndReason.Transferred, $"transferred to {target.Name}"))
            {
                var (code, text) = _leg.CloseFor(CallEndReason.Transferred, "call transferred");
                await _leg.CloseAsync(code, text).ConfigureAwait(false);
            }

            CancelSoon(TimeSpan.FromSeconds(1));
            return;
        }

        Record(CallEventType.Transfer, text: target.Name, reason: "failed", detail: result.Detail, data: data);
        lock (_controlGate)
        {
            _control = null;
        }

        // Tell the model, and let it speak: the caller is still on the line.
        var message = $"The transfer to {target.Name} failed: {result.Detail}. Tell the caller, and offer to help in another way.";
        await SendToBackendAsync(w => RealtimeClientEvents.WriteSystemText(w, message), token).ConfigureAwait(false);
        await SendToBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w), token).ConfigureAwait(false);
    }

    internal static string Describe(CallControlStatus status) => status switch
    {
        CallControlStatus.Done => "accepted",
        CallControlStatus.AlreadyEnded => "already_ended",
        CallControlStatus.NotConfigured => "not_configured",
        CallControlStatus.Refused => "refused",
        _ => "unreachable",
    };

    /// <summary>An armed end or transfer, and which response it waits for.</summary>
    private sealed class PendingControl(bool isEnd, string toolCallId, TransferTargetSpec? target, string? reason)
    {
        public bool IsEnd { get; } = isEnd;

        public string ToolCallId { get; } = toolCallId;

        public TransferTargetSpec? Target { get; } = target;

        public string? Reason { get; } = reason;

        /// <summary>Under the bridge's control lock: the wait has been started.</summary>
        public bool Started { get; set; }

        private volatile bool _awaitingResponse;
        private volatile string? _responseId;

        /// <summary>The response that answers the tool output has been asked for.</summary>
        public bool AwaitingResponse { get => _awaitingResponse; set => _awaitingResponse = value; }

        /// <summary>That response, once created.</summary>
        public string? ResponseId { get => _responseId; set => _responseId = value; }

        public TaskCompletionSource ResponseDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
