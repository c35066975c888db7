using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Audio;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// A test-driven caller leg (the model is LiveKit's <c>tests/fake_io.py</c>). The test queues what the caller does (audio,
/// DTMF, typed turns, interrupts, hang-up) and reads what the caller got (agent audio per item, clears with their reason,
/// closes with code and reason, transcripts, states, errors). Playout is the test's to say: <see cref="Heard"/> and
/// <see cref="PlayAll"/> set how many ms of an item have been heard, which is what <see cref="ClearAsync"/> returns
/// and what <see cref="UnplayedItem"/> and <see cref="WaitForPlayoutAsync"/> report.
/// </summary>
/// <remarks>
/// Like a socket leg, frames carry spans: the current message's bytes are kept in a field and <see cref="TryReadFrame"/>
/// returns spans into it. Like a socket peer, the caller answers the leg's close: after <see cref="CloseAsync"/> the next
/// receive reads "closed", so the bridge's caller loop ends without waiting out its grace period.
/// </remarks>
internal sealed class FakeCallerLeg : ICallerLeg
{
    /// <summary>What a phone line can do (<see cref="Carriers.CarrierLeg"/>).</summary>
    public const CallerLegCapabilities PhoneCapabilities = CallerLegCapabilities.CallerAudio | CallerLegCapabilities.AgentAudio | CallerLegCapabilities.Transfer;

    private static readonly string[] EndReasons =
    [
        CallEndReason.CallerHangup, CallEndReason.CarrierClosed, CallEndReason.ClientClosed, CallEndReason.CarrierProtocolError,
        CallEndReason.StartTimeout, CallEndReason.BackendUnavailable, CallEndReason.BackendDisconnected, CallEndReason.MaxDuration,
        CallEndReason.GatewayShutdown, CallEndReason.InternalError, CallEndReason.AgentEnded, CallEndReason.Transferred,
        CallEndReason.EndpointRejected, CallEndReason.Superseded, CallEndReason.SessionExpired, CallEndReason.IdleTimeout,
        CallEndReason.BudgetExhausted, CallEndReason.Shutdown, CallEndReason.OperatorHangup, CallEndReason.Refused,
    ];

    private readonly Channel<Inbound> _inbound = System.Threading.Channels.Channel.CreateUnbounded<Inbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<PlayoutItem> _items = [];
    private readonly List<SentAudio> _audio = [];
    private readonly List<Cleared> _clears = [];
    private readonly List<(string ItemId, long GeneratedMs)> _audioDone = [];
    private readonly List<Closed> _closes = [];
    private readonly List<string> _states = [];
    private readonly List<Transcript> _transcripts = [];
    private readonly List<ShownError> _errors = [];
    private readonly List<TransferRequest> _transfers = [];
    private readonly List<(string Name, string Arguments)> _actions = [];
    private HarnessSignal _signal = new();
    private TimeProvider _time = TimeProvider.System;
    private TaskCompletionSource<ClearedPlayout>? _pendingClear;
    private Inbound _current;
    private byte[] _message = [];
    private int _enqueued;
    private int _taken;
    private int _receiveCalls;
    private int _hangUps;
    private int _playoutWaits;

    public FakeCallerLeg(CallerLegCapabilities capabilities, AudioFormat format, string channel, string lostEndReason, CallStartInfo start)
    {
        Capabilities = capabilities;
        Format = format;
        Channel = channel;
        LostEndReason = lostEndReason;
        StartInfo = start;
    }

    /// <summary>A phone call (Twilio-like: μ-law 8 kHz, caller audio, agent audio, transfer) or another mix of <paramref name="capabilities"/>.</summary>
    public static FakeCallerLeg Phone(CallerLegCapabilities capabilities = PhoneCapabilities) =>
        new(capabilities, AudioFormat.MuLaw8k, Transports.Twilio, CallEndReason.CarrierClosed, new CallStartInfo
        {
            CarrierCallId = "CA_harness",
            StreamId = "MZ_harness",
            From = "+15550001111",
            To = "+15550002222",
            Format = AudioFormat.MuLaw8k,
        })
        { HangUpOutcome = "accepted" };

    /// <summary>A browser session (PCM 24 kHz, typed turns, text shown) in <paramref name="mode"/>: text, audio_playback or voice_conversation.</summary>
    public static FakeCallerLeg Browser(string mode = InteractionModes.VoiceConversation)
    {
        var capabilities = CallerLegCapabilities.TypedTurns | CallerLegCapabilities.ShowsText;
        if (mode != InteractionModes.Text)
        {
            capabilities |= CallerLegCapabilities.AgentAudio;
        }

        if (mode is InteractionModes.VoiceConversation or InteractionModes.BrowserActions)
        {
            capabilities |= CallerLegCapabilities.CallerAudio;
        }

        if (mode == InteractionModes.BrowserActions)
        {
            capabilities |= CallerLegCapabilities.BrowserActions;
        }

        return new(capabilities, AudioFormat.Pcm24k, Transports.WebSocket, CallEndReason.ClientClosed, new CallStartInfo
        {
            SessionId = Guid.Parse("5e55105e-0000-4000-8000-000000000001"),
            Mode = mode,
            Format = AudioFormat.Pcm24k,
        });
    }

    /// <summary>The close code the fake's <see cref="CloseFor"/> gives each end reason: distinct, so a test can tell the bridge asked the leg.</summary>
    public static int CloseCodeFor(string endReason) => 4000 + Array.IndexOf(EndReasons, endReason);

    // ---- what the leg is ----

    public string Channel { get; }

    public string LostEndReason { get; }

    public AudioFormat Format { get; }

    public CallerLegCapabilities Capabilities { get; }

    public CallStartInfo StartInfo { get; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When set, the leg never begins (<see cref="StartAsync"/> fails with it).</summary>
    public CallerLegStart? StartFailure { get; set; }

    /// <summary>What <see cref="HangUpAsync"/> reports (a carrier's outcome; null for a leg without a carrier).</summary>
    public string? HangUpOutcome { get; set; }

    /// <summary>What <see cref="TransferAsync"/> answers.</summary>
    public CallControlResult TransferResult { get; set; } = new(CallControlStatus.Done, "harness: transfer accepted", 200);

    /// <summary>Runs a browser action; the default answers <c>{"ok":true}</c>.</summary>
    public Func<string, string, string> ActionHandler { get; set; } = (_, _) => """{"ok":true}""";

    /// <summary>
    /// When true, <see cref="ClearAsync"/> answers later (like a browser whose client reports its position):
    /// <see cref="AnswerClear"/> gives the heard position.
    /// </summary>
    public bool DeferClearAnswers { get; set; }

    // ---- what happened to the leg ----

    public string? CallId { get; private set; }

    public bool Admitted { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>The caller loop has asked for a frame at least once: the call is running (limits armed, backend configured).</summary>
    public bool IsReceiving => Volatile.Read(ref _receiveCalls) > 0;

    /// <summary>Every frame queued has been handled and the caller loop waits for the next one.</summary>
    public bool IsIdle
    {
        get
        {
            var taken = Volatile.Read(ref _taken);
            return Volatile.Read(ref _enqueued) == taken && Volatile.Read(ref _receiveCalls) == taken + 1;
        }
    }

    public int HangUps => Volatile.Read(ref _hangUps);

    public int PlayoutWaits => Volatile.Read(ref _playoutWaits);

    /// <summary>The close that took effect (the first), or null while the leg is open.</summary>
    public Closed? Close => Locked(() => _closes.Count > 0 ? _closes[0] : null);

    public IReadOnlyList<Closed> Closes => Locked(() => _closes.ToArray());

    public IReadOnlyList<SentAudio> Audio => Locked(() => _audio.ToArray());

    public IReadOnlyList<Cleared> Clears => Locked(() => _clears.ToArray());

    public IReadOnlyList<(string ItemId, long GeneratedMs)> AudioDone => Locked(() => _audioDone.ToArray());

    public IReadOnlyList<string> States => Locked(() => _states.ToArray());

    public IReadOnlyList<Transcript> Transcripts => Locked(() => _transcripts.ToArray());

    public IReadOnlyList<ShownError> Errors => Locked(() => _errors.ToArray());

    public IReadOnlyList<TransferRequest> Transfers => Locked(() => _transfers.ToArray());

    public IReadOnlyList<(string Name, string Arguments)> Actions => Locked(() => _actions.ToArray());

    /// <summary>The agent audio of <paramref name="itemId"/> the caller was sent, in ms of <see cref="Format"/>.</summary>
    public long SentMs(string itemId) => Locked(() => Find(itemId)?.SentBytes ?? 0) / Format.BytesPerMs;

    /// <summary>The agent audio of <paramref name="itemId"/> the caller was sent, decoded.</summary>
    public byte[] AudioOf(string itemId) => Audio.Where(a => a.ItemId == itemId).SelectMany(a => a.Bytes).ToArray();

    /// <summary>How much of <paramref name="itemId"/> the caller has heard, in ms.</summary>
    public long HeardMs(string itemId) => Locked(() => Find(itemId)?.HeardMs ?? 0);

    /// <summary>Called by the harness: wakes its waits, and gives the leg the call's clock (for playout caps).</summary>
    internal void Attach(HarnessSignal signal, TimeProvider time)
    {
        _signal = signal;
        _time = time;
    }

    // ---- the caller acts ----

    /// <summary>Caller audio (raw bytes in <paramref name="format"/>, default the leg's), sent base64 as the wire carries it.</summary>
    public void SendAudio(ReadOnlySpan<byte> audio, AudioFormat? format = null) =>
        Enqueue(new Inbound(InboundKind.Audio, Encoding.ASCII.GetBytes(Convert.ToBase64String(audio)), Format: format ?? Format));

    /// <summary><paramref name="ms"/> of caller audio (a quiet tone) in the leg's format.</summary>
    public void SendAudioMs(int ms) => SendAudio(ScriptedBackend.Audio(Format, ms));

    public void PressDigit(char digit) => Enqueue(new Inbound(InboundKind.Dtmf, [(byte)digit]));

    public void Type(string text) => Enqueue(new Inbound(InboundKind.Text, Encoding.UTF8.GetBytes(text), Text: text));

    /// <summary>The client stops the agent itself (a browser's own barge-in), optionally saying what it played.</summary>
    public void Interrupt(string? itemId = null, long playedMs = -1) =>
        Enqueue(new Inbound(InboundKind.Interrupt, [], ItemId: itemId, PlayedMs: playedMs));

    public void ReportError(string detail) => Enqueue(new Inbound(InboundKind.Error, [], Text: detail));

    /// <summary>The caller hangs up (a carrier's <c>stop</c>, a browser's <c>hangup</c>).</summary>
    public void HangUp() => Enqueue(new Inbound(InboundKind.HangUp, []));

    /// <summary>The caller's side closes its socket without hanging up (<see cref="LostEndReason"/>).</summary>
    public void CloseSocket() => Enqueue(new Inbound(InboundKind.Closed, []));

    /// <summary>The caller's connection breaks (the receive throws).</summary>
    public void Vanish() => Enqueue(new Inbound(InboundKind.Lost, []));

    /// <summary>The caller has heard <paramref name="ms"/> of <paramref name="itemId"/> (may exceed what was sent, as a client's report can).</summary>
    public void Heard(string itemId, long ms)
    {
        lock (_gate)
        {
            var item = Find(itemId);
            if (item is null)
            {
                // Heard before any of it was sent: not the latest item with audio.
                item = new PlayoutItem(itemId);
                _items.Insert(0, item);
            }

            item.HeardMs = ms;
        }

        _signal.Pulse();
    }

    /// <summary>Everything sent so far has been heard.</summary>
    public void PlayAll()
    {
        lock (_gate)
        {
            foreach (var item in _items)
            {
                item.HeardMs = Math.Max(item.HeardMs, item.SentBytes / Format.BytesPerMs);
            }
        }

        _signal.Pulse();
    }

    /// <summary>Answers a deferred clear (<see cref="DeferClearAnswers"/>) with the position the client reported.</summary>
    public void AnswerClear(long heardMs, string source = "client")
    {
        var pending = Interlocked.Exchange(ref _pendingClear, null) ?? throw new InvalidOperationException("no clear is waiting for an answer");
        pending.SetResult(new ClearedPlayout(heardMs, source));
    }

    public bool ClearIsWaiting => Volatile.Read(ref _pendingClear) is not null;

    // ---- ICallerLeg ----

    public Task<CallerLegStart> StartAsync(string callId, CancellationToken cancellationToken)
    {
        CallId = callId;
        _signal.Pulse();
        return Task.FromResult(StartFailure ?? new CallerLegStart(StartInfo));
    }

    public ValueTask OnAdmittedAsync(CancellationToken cancellationToken)
    {
        Admitted = true;
        _signal.Pulse();
        return ValueTask.CompletedTask;
    }

    public (int Code, string Reason) CloseFor(string endReason, string text) => (CloseCodeFor(endReason), text);

    public async ValueTask<ReceiveStatus> ReceiveAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _receiveCalls);
        _signal.Pulse();
        var next = await _inbound.Reader.ReadAsync(cancellationToken);
        _current = next;
        _message = next.Bytes;
        Interlocked.Increment(ref _taken);
        return next.Kind switch
        {
            InboundKind.Lost => throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "harness: the caller's connection broke"),
            InboundKind.Closed => ReceiveStatus.Closed,
            _ => ReceiveStatus.Text,
        };
    }

    public CallerFrameKind TryReadFrame(ReceiveStatus status, out CallerFrame frame)
    {
        frame = default;
        if (status == ReceiveStatus.Closed)
        {
            frame.EndReason = LostEndReason;
            frame.CloseCode = (int)WebSocketCloseStatus.NormalClosure;
            frame.CloseReason = "";
            frame.Detail = "harness: the caller's side closed";
            return CallerFrameKind.End;
        }

        switch (_current.Kind)
        {
            case InboundKind.Audio:
                frame.Audio = _message;
                frame.AudioFormat = _current.Format;
                frame.AudioChecked = true;
                return CallerFrameKind.Audio;
            case InboundKind.Dtmf:
                frame.Digit = _message;
                return CallerFrameKind.Dtmf;
            case InboundKind.Text:
                frame.Text = _current.Text;
                return CallerFrameKind.Text;
            case InboundKind.Interrupt:
                frame.ItemId = _current.ItemId;
                frame.PlayedMs = _current.PlayedMs;
                return CallerFrameKind.Interrupt;
            case InboundKind.Error:
                frame.Detail = _current.Text;
                return CallerFrameKind.Error;
            case InboundKind.HangUp:
                frame.EndReason = CallEndReason.CallerHangup;
                frame.CloseCode = (int)WebSocketCloseStatus.NormalClosure;
                frame.CloseReason = "caller hung up";
                frame.Detail = "harness: the caller hung up";
                return CallerFrameKind.End;
            default:
                return CallerFrameKind.None;
        }
    }

    public ValueTask RunPendingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<bool> SendAudioAsync(string itemId, ReadOnlyMemory<byte> audio, bool isBase64, CancellationToken cancellationToken)
    {
        var bytes = isBase64 ? Convert.FromBase64String(Encoding.ASCII.GetString(audio.Span)) : audio.ToArray();
        lock (_gate)
        {
            if (_closes.Count > 0)
            {
                // A closed leg plays nothing.
                return ValueTask.FromResult(false);
            }

            _audio.Add(new SentAudio(itemId, bytes, isBase64));
            var item = Find(itemId) ?? AddItem(itemId);
            item.SentBytes += bytes.Length;
            _items.Remove(item);
            _items.Add(item);
        }

        _signal.Pulse();
        return ValueTask.FromResult(true);
    }

    public ValueTask AgentAudioDoneAsync(string itemId, long generatedMs, CancellationToken cancellationToken)
    {
        Locked(() => _audioDone.Add((itemId, generatedMs)));
        _signal.Pulse();
        return ValueTask.CompletedTask;
    }

    /// <summary>The last item with audio, while the caller has not heard all of it (and it was not cleared).</summary>
    public string? UnplayedItem => Locked(() => _items.Count > 0 && _items[^1] is { Cleared: false } last && last.HeardMs < last.SentBytes / Format.BytesPerMs ? last.Id : null);

    public ValueTask<ClearedPlayout> ClearAsync(string? itemId, string reason, long knownHeardMs, CancellationToken cancellationToken)
    {
        long heard;
        lock (_gate)
        {
            _clears.Add(new Cleared(itemId, reason, knownHeardMs));
            heard = itemId is null ? 0 : Find(itemId)?.HeardMs ?? 0;
            foreach (var item in _items)
            {
                // The playback buffer is flushed: nothing sent so far will be heard any more.
                item.Cleared = true;
            }
        }

        _signal.Pulse();
        if (itemId is null)
        {
            return ValueTask.FromResult(new ClearedPlayout(0, "fake"));
        }

        if (knownHeardMs >= 0)
        {
            return ValueTask.FromResult(new ClearedPlayout(knownHeardMs, "client"));
        }

        if (DeferClearAnswers)
        {
            var pending = new TaskCompletionSource<ClearedPlayout>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pendingClear, pending);
            _signal.Pulse();
            return ValueTask.FromResult(new ClearedPlayout(0, "client", pending.Task));
        }

        return ValueTask.FromResult(new ClearedPlayout(heard, "fake"));
    }

    public long EstimateHeard(string itemId) => HeardMs(itemId);

    /// <summary>Returns once nothing is unplayed (the test says when, with <see cref="Heard"/> or <see cref="PlayAll"/>), or when <paramref name="cap"/> passes on the call's clock.</summary>
    public async Task WaitForPlayoutAsync(TimeSpan cap, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var capped = Task.Delay(cap, _time, stop.Token);
        // Counted once the cap's timer exists, so a test that sees the wait may advance the clock past the cap.
        Interlocked.Increment(ref _playoutWaits);
        _signal.Pulse();
        try
        {
            while (true)
            {
                var next = _signal.Next;
                if (UnplayedItem is null)
                {
                    return;
                }

                if (await Task.WhenAny(next, capped) == capped)
                {
                    await capped;
                    return;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    public ValueTask ShowStateAsync(string state, CancellationToken cancellationToken)
    {
        Locked(() => _states.Add(state));
        _signal.Pulse();
        return ValueTask.CompletedTask;
    }

    public ValueTask ShowTranscriptAsync(string role, string text, bool final, string itemId, long? heardMs, CancellationToken cancellationToken)
    {
        Locked(() => _transcripts.Add(new Transcript(role, text, final, itemId, heardMs)));
        _signal.Pulse();
        return ValueTask.CompletedTask;
    }

    public ValueTask ShowErrorAsync(string code, string message, string? backendCode, CancellationToken cancellationToken)
    {
        Locked(() => _errors.Add(new ShownError(code, message, backendCode)));
        _signal.Pulse();
        return ValueTask.CompletedTask;
    }

    public Task<string> RunActionAsync(string callId, string name, string argumentsJson, CancellationToken cancellationToken)
    {
        Locked(() => _actions.Add((name, argumentsJson)));
        _signal.Pulse();
        return Task.FromResult(ActionHandler(name, argumentsJson));
    }

    public Task<string?> HangUpAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _hangUps);
        _signal.Pulse();
        return Task.FromResult(HangUpOutcome);
    }

    public Task<CallControlResult> TransferAsync(string to, string? callerId, CancellationToken cancellationToken)
    {
        Locked(() => _transfers.Add(new TransferRequest(to, callerId)));
        _signal.Pulse();
        return Task.FromResult(TransferResult);
    }

    public Task CloseAsync(int code, string reason)
    {
        bool first;
        lock (_gate)
        {
            first = _closes.Count == 0;
            _closes.Add(new Closed(code, reason));
        }

        if (first)
        {
            // The caller's side answers the close, as a socket peer does: the caller loop reads "closed" next.
            Enqueue(new Inbound(InboundKind.Closed, []));
        }

        _signal.Pulse();
        return Task.CompletedTask;
    }

    public void DescribeStart(IDictionary<string, string> data)
    {
        data["format"] = Format.ToString();
        data["harness"] = "fake_leg";
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        _signal.Pulse();
        return ValueTask.CompletedTask;
    }

    private void Enqueue(Inbound inbound)
    {
        Interlocked.Increment(ref _enqueued);
        if (!_inbound.Writer.TryWrite(inbound))
        {
            throw new InvalidOperationException("harness: the caller's queue is closed");
        }

        _signal.Pulse();
    }

    private PlayoutItem? Find(string itemId) => _items.FirstOrDefault(i => i.Id == itemId);

    private PlayoutItem AddItem(string itemId)
    {
        var item = new PlayoutItem(itemId);
        _items.Add(item);
        return item;
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private void Locked(Action write)
    {
        lock (_gate)
        {
            write();
        }
    }

    /// <summary>Agent audio the caller was sent (decoded when it came as base64).</summary>
    public sealed record SentAudio(string ItemId, byte[] Bytes, bool WasBase64);

    /// <summary>A playback stop: the item (null: nothing was playing), why, and what the caller said it had heard (-1: not said).</summary>
    public sealed record Cleared(string? ItemId, string Reason, long KnownHeardMs);

    public sealed record Closed(int Code, string Reason);

    public sealed record Transcript(string Role, string Text, bool Final, string ItemId, long? HeardMs);

    public sealed record ShownError(string Code, string Message, string? BackendCode);

    public sealed record TransferRequest(string To, string? CallerId);

    /// <summary>Playback of one agent item (under the leg's lock).</summary>
    private sealed class PlayoutItem(string id)
    {
        public string Id { get; } = id;

        public long SentBytes { get; set; }

        public long HeardMs { get; set; }

        public bool Cleared { get; set; }
    }

    private enum InboundKind
    {
        Audio,
        Dtmf,
        Text,
        Interrupt,
        Error,
        HangUp,
        Closed,
        Lost,
    }

    private readonly record struct Inbound(InboundKind Kind, byte[] Bytes, string? Text = null, string? ItemId = null, long PlayedMs = -1, AudioFormat Format = default);
}
