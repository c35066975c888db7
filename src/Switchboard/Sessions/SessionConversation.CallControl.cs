using System.Net.WebSockets;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Calls;
using Switchboard.Journal;

namespace Switchboard.Sessions;

/// <summary>
/// The built-in call-control tools in a session. <c>end_call</c> answers the model at once (say goodbye) and, when the
/// response that says it is done — and, in spoken modes, its audio has been reported played by the client (a
/// <c>playback</c> reaching the <c>audio_done</c> duration), each wait capped — closes the socket 1000 with
/// "agent ended the conversation". <c>transfer_call</c>/<c>handoff_human</c> have no phone line to transfer here: the
/// model gets <c>transfer_not_supported</c>.
/// </summary>
internal sealed partial class SessionConversation
{
    private static readonly TimeSpan GoodbyeResponseTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan GoodbyePlaybackTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan GoodbyePoll = TimeSpan.FromMilliseconds(20);

    private readonly Lock _endGate = new();
    private PendingEnd? _pendingEnd;

    /// <summary>Runs this session's built-ins and hands every other tool to the gateway's invoker.</summary>
    private sealed class SessionToolInvoker(SessionConversation conversation, IToolInvoker inner) : IToolInvoker
    {
        public Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
        {
            if (call.Spec is not { } spec || !BuiltInTools.IsBuiltIn(spec))
            {
                return inner.InvokeAsync(call, cancellationToken);
            }

            if (BuiltInTools.IsTransfer(spec))
            {
                throw new ToolFailedException("transfer_not_supported", ToolOutcome.Error("transfer_not_supported",
                    "This conversation is not a phone call, so it cannot be transferred. Offer to help another way.").OutputJson);
            }

            return Task.FromResult(conversation.ArmEnd(call.ToolCallId));
        }
    }

    private string ArmEnd(string toolCallId)
    {
        lock (_endGate)
        {
            if (_pendingEnd is not null)
            {
                throw new ToolFailedException("call_control_busy", ToolOutcome.Error("call_control_busy", "The conversation is already ending.").OutputJson);
            }

            _pendingEnd = new PendingEnd(toolCallId);
        }

        return """{"ok":true,"action":"end_call","message":"Say one short goodbye now. The conversation ends when you finish."}""";
    }

    /// <summary>Called just before asking for the response that answers the tool outputs: an armed end waits for that response.</summary>
    private void StartArmedEnd(CancellationToken token)
    {
        PendingEnd? pending;
        lock (_endGate)
        {
            pending = _pendingEnd;
            if (pending is null || pending.Started)
            {
                return;
            }

            pending.Started = true;
        }

        pending.AwaitingResponse = true;
        _ = RunEndAsync(pending, token);
    }

    /// <summary>Backend loop: the goodbye response was created; remember which audio item was last before it.</summary>
    private void OnEndResponseCreated(string responseId)
    {
        if (Volatile.Read(ref _pendingEnd) is { AwaitingResponse: true, ResponseId: null } pending)
        {
            lock (_voiceGate)
            {
                pending.ItemBefore = _lastAudioItem;
            }

            pending.ResponseId = responseId;
        }
    }

    /// <summary>Backend loop: a response is done (its final transcript already sent); the goodbye's lets the end go ahead.</summary>
    private void OnEndResponseDone(string responseId)
    {
        if (Volatile.Read(ref _pendingEnd) is { } pending && string.Equals(pending.ResponseId, responseId, StringComparison.Ordinal))
        {
            pending.ResponseDone.TrySetResult();
        }
    }

    private async Task RunEndAsync(PendingEnd pending, CancellationToken token)
    {
        try
        {
            try
            {
                await pending.ResponseDone.Task.WaitAsync(GoodbyeResponseTimeout, _time, token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // No goodbye came: end anyway.
            }

            if (Speaks)
            {
                var started = _time.GetTimestamp();
                while (!GoodbyePlayed(pending) && _time.GetElapsedTime(started) < GoodbyePlaybackTimeout)
                {
                    await Task.Delay(GoodbyePoll, _time, token).ConfigureAwait(false);
                }
            }

            await EndAsync((int)WebSocketCloseStatus.NormalClosure, "agent ended the conversation", CallEndReason.AgentEnded).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The conversation ended first.
        }
    }

    /// <summary>Whether the client has played the goodbye's audio to its end (or it had none, or was cut off by the user).</summary>
    private bool GoodbyePlayed(PendingEnd pending)
    {
        lock (_voiceGate)
        {
            var item = _lastAudioItem;
            if (item is null || string.Equals(item, pending.ItemBefore, StringComparison.Ordinal) || _interruptedItems.ContainsKey(item))
            {
                return true;
            }

            var durationMs = _lastAudioBytes / BackendAudio.BytesPerMs;
            return _lastAudioDone && string.Equals(_reportedItem, item, StringComparison.Ordinal) && _reportedMs + PlayedSlackMs >= durationMs;
        }
    }

    /// <summary>The armed end: which response says goodbye, and what audio came before it.</summary>
    private sealed class PendingEnd(string toolCallId)
    {
        private volatile bool _awaitingResponse;
        private volatile string? _responseId;

        public string ToolCallId { get; } = toolCallId;

        /// <summary>Under the end lock: the wait has been started.</summary>
        public bool Started { get; set; }

        public bool AwaitingResponse { get => _awaitingResponse; set => _awaitingResponse = value; }

        public string? ResponseId { get => _responseId; set => _responseId = value; }

        /// <summary>Under the voice lock: the last agent audio item before the goodbye (so a goodbye without audio is recognised).</summary>
        public string? ItemBefore { get; set; }

        public TaskCompletionSource ResponseDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
