namespace Switchboard.Cli.Simulation;

/// <summary>
/// Emulates the carrier's playback of agent audio, which is what makes marks and barge-in measurable.
/// Audio joins a queue; if the queue was empty it starts after the jitter-buffer delay, otherwise straight
/// after the audio already queued. A turn ends once the queue has stayed empty for the turn gap; audio that
/// arrives sooner continues the turn after an underrun. A mark becomes due when everything queued before it has played.
/// A clear plays nothing more, drops the rest and releases every pending mark at once (Twilio's documented
/// behaviour). Played audio is written to an output track at the time it plays.
/// Times are call milliseconds passed in by the caller, so the class is deterministic and not thread-safe.
/// </summary>
internal sealed class PlayoutEmulator
{
    private readonly int _sampleRate;
    private readonly double _playoutDelayMs;
    private readonly double _turnGapMs;
    private readonly Action<TimelineKind, double, string> _record;
    private readonly LinkedList<QueueItem> _queue = new();
    private readonly List<MarkRecord> _marks = [];
    private readonly List<AgentTurn> _turns = [];
    private short[] _output = new short[8000];
    private int _outputLength;
    private double _queueEndMs;
    private TurnState? _turn;

    /// <summary>
    /// Creates an emulator whose audio is PCM at <paramref name="sampleRate"/> and which reports timeline events to
    /// <paramref name="record"/>. Silence longer than <paramref name="turnGapMs"/> separates agent turns.
    /// </summary>
    public PlayoutEmulator(int sampleRate, double playoutDelayMs, Action<TimelineKind, double, string> record, double turnGapMs = 250)
    {
        _sampleRate = sampleRate;
        _playoutDelayMs = playoutDelayMs;
        _turnGapMs = turnGapMs;
        _record = record;
    }

    /// <summary>Times the playout buffer ran dry in the middle of a turn.</summary>
    public int Underruns { get; private set; }

    /// <summary>Every mark received so far, in arrival order.</summary>
    public IReadOnlyList<MarkRecord> Marks => _marks;

    /// <summary>Finished agent turns.</summary>
    public IReadOnlyList<AgentTurn> Turns => _turns;

    /// <summary>When the first agent audio started playing, if it has.</summary>
    public double? FirstPlayedMs { get; private set; }

    /// <summary>When the next queued item needs attention (audio starting or finishing, a mark falling due); null when idle.</summary>
    public double? NextDueMs
    {
        get
        {
            // A turn whose audio has run out ends only when the gap has passed.
            var turnEnd = _turn is { DryAtMs: { } dry } ? dry + _turnGapMs : (double?)null;
            if (_queue.First is not { } node)
            {
                return turnEnd;
            }

            var item = node.Value;
            var due = item.MarkIndex >= 0 ? item.StartMs : item.Started ? item.EndMs : item.StartMs;
            return turnEnd is { } t ? Math.Min(t, due) : due;
        }
    }

    /// <summary>Queues agent audio received at <paramref name="nowMs"/>; returns marks that fell due meanwhile.</summary>
    public IReadOnlyList<string> EnqueueAudio(double nowMs, short[] pcm)
    {
        var due = Advance(nowMs);
        if (pcm.Length == 0)
        {
            return due;
        }

        // Continuous with what is queued, or (after silence) behind a fresh jitter-buffer delay. Audio that
        // arrives within the turn gap after the buffer ran dry still belongs to the same turn.
        var continues = _queueEndMs > nowMs;
        var start = continues ? _queueEndMs : nowMs + _playoutDelayMs;
        var end = start + (pcm.Length * 1000.0 / _sampleRate);
        var resumesTurn = !continues && _turn is { DryAtMs: not null } && !HasAudioQueued();
        if (resumesTurn)
        {
            Underruns++;
            _turn!.Underruns++;
        }

        _queue.AddLast(new QueueItem { Audio = pcm, StartMs = start, EndMs = end, StartsTurn = !continues && !resumesTurn });
        _queueEndMs = end;
        return due;
    }

    /// <summary>Queues a mark received at <paramref name="nowMs"/> behind the audio already queued; returns marks that are due now.</summary>
    public IReadOnlyList<string> EnqueueMark(double nowMs, string name)
    {
        Advance(nowMs, out var echoed);
        _marks.Add(new MarkRecord(name, nowMs, null, false));
        var dueMs = Math.Max(_queueEndMs, nowMs);
        _queue.AddLast(new QueueItem { MarkIndex = _marks.Count - 1, StartMs = dueMs, EndMs = dueMs });
        Advance(nowMs, out var more);
        echoed.AddRange(more);
        return echoed;
    }

    /// <summary>Plays out everything due by <paramref name="nowMs"/>; returns the marks to echo, in order.</summary>
    public IReadOnlyList<string> Advance(double nowMs)
    {
        Advance(nowMs, out var echoed);
        return echoed;
    }

    /// <summary>
    /// Handles a <c>clear</c> at <paramref name="nowMs"/>: keeps what already played, drops the rest, and returns
    /// every pending mark to echo immediately, with the milliseconds of audio dropped.
    /// </summary>
    public (IReadOnlyList<string> Marks, double DroppedMs) Clear(double nowMs)
    {
        Advance(nowMs, out var echoed);
        var dropped = Flush(nowMs, AgentTurnEnd.Cleared, echoMarks: echoed);
        return (echoed, dropped);
    }

    /// <summary>Ends the call at <paramref name="nowMs"/>: plays what is due, cuts off the rest; pending marks are never echoed.</summary>
    public void Finish(double nowMs)
    {
        Advance(nowMs, out _);
        Flush(nowMs, AgentTurnEnd.CallEnded, echoMarks: null);
    }

    /// <summary>The audio the caller heard, at the emulator's sample rate, padded or cut to <paramref name="sampleCount"/> samples.</summary>
    public short[] Output(int sampleCount)
    {
        var result = new short[sampleCount];
        _output.AsSpan(0, Math.Min(_outputLength, sampleCount)).CopyTo(result);
        return result;
    }

    private void Advance(double nowMs, out List<string> echoed)
    {
        echoed = [];
        while (_queue.First is { } node)
        {
            var item = node.Value;
            if (item.MarkIndex >= 0)
            {
                if (nowMs < item.StartMs)
                {
                    break;
                }

                EchoMark(item.MarkIndex, item.StartMs, byClear: false, echoed);
                _queue.RemoveFirst();
                continue;
            }

            if (!item.Started)
            {
                if (nowMs < item.StartMs)
                {
                    break;
                }

                BeginPlaying(item);
            }

            if (nowMs < item.EndMs)
            {
                break;
            }

            Play(item, item.Audio!.Length);
            _queue.RemoveFirst();
            if (_turn is not null && !ContinuesTurn())
            {
                _turn.DryAtMs = item.EndMs;
            }
        }

        if (_turn is { DryAtMs: { } dryAt } && nowMs >= dryAt + _turnGapMs && !HasAudioQueued())
        {
            EndTurn(dryAt, AgentTurnEnd.Completed);
        }
    }

    private double Flush(double nowMs, AgentTurnEnd reason, List<string>? echoMarks)
    {
        var droppedMs = 0.0;
        foreach (var item in _queue)
        {
            if (item.MarkIndex >= 0)
            {
                if (echoMarks is not null)
                {
                    EchoMark(item.MarkIndex, nowMs, byClear: true, echoMarks);
                }

                continue;
            }

            var totalMs = item.EndMs - item.StartMs;
            if (item.Started)
            {
                var playedSamples = (int)Math.Clamp(Math.Round((nowMs - item.StartMs) * _sampleRate / 1000), 0, item.Audio!.Length);
                Play(item, playedSamples);
                droppedMs += totalMs - (playedSamples * 1000.0 / _sampleRate);
            }
            else
            {
                droppedMs += totalMs;
            }
        }

        var wasPlaying = _queue.Any(i => i.MarkIndex < 0 && i.Started);
        _queue.Clear();
        _queueEndMs = nowMs;
        if (_turn is { DryAtMs: { } dryAt } && !wasPlaying)
        {
            // Its audio had already run out: the turn completed; the clear or hang-up did not cut it off.
            EndTurn(dryAt, AgentTurnEnd.Completed);
        }
        else if (_turn is not null)
        {
            EndTurn(nowMs, reason);
        }

        return droppedMs;
    }

    private void BeginPlaying(QueueItem item)
    {
        item.Started = true;
        if (!item.StartsTurn && _turn is not null)
        {
            _turn.DryAtMs = null;
            return;
        }

        if (_turn is not null)
        {
            EndTurn(_turn.DryAtMs ?? item.StartMs, AgentTurnEnd.Completed);
        }

        _turn = new TurnState(_turns.Count + 1, item.StartMs);
        if (FirstPlayedMs is null)
        {
            FirstPlayedMs = item.StartMs;
            _record(TimelineKind.FirstAgentAudioPlayed, item.StartMs, "first agent audio played");
        }

        _record(TimelineKind.AgentTurnStarted, item.StartMs, $"agent turn {_turn.Index} started");
    }

    private void Play(QueueItem item, int sampleCount)
    {
        if (_turn is not null)
        {
            _turn.PlayedMs += sampleCount * 1000.0 / _sampleRate;
        }

        var offset = (int)Math.Round(item.StartMs * _sampleRate / 1000);
        var needed = offset + sampleCount;
        if (needed > _output.Length)
        {
            Array.Resize(ref _output, Math.Max(needed, _output.Length * 2));
        }

        item.Audio.AsSpan(0, sampleCount).CopyTo(_output.AsSpan(offset));
        _outputLength = Math.Max(_outputLength, needed);
    }

    private bool HasAudioQueued() => _queue.Any(i => i.MarkIndex < 0);

    private bool ContinuesTurn()
    {
        foreach (var item in _queue)
        {
            if (item.MarkIndex < 0)
            {
                return !item.StartsTurn;
            }
        }

        return false;
    }

    private void EndTurn(double atMs, AgentTurnEnd reason)
    {
        var turn = _turn!;
        _turn = null;
        var record = new AgentTurn(turn.Index, turn.StartMs, atMs, turn.PlayedMs, reason, turn.Underruns);
        _turns.Add(record);
        var how = reason switch
        {
            AgentTurnEnd.Cleared => "interrupted by clear",
            AgentTurnEnd.CallEnded => "cut off by the end of the call",
            _ => "completed",
        };
        var underruns = turn.Underruns == 0 ? string.Empty : $", {turn.Underruns} underrun(s)";
        _record(TimelineKind.AgentTurnEnded, atMs, $"agent turn {turn.Index} ended: played {turn.PlayedMs:0} ms, {how}{underruns}");
    }

    private void EchoMark(int index, double atMs, bool byClear, List<string> echoed)
    {
        var mark = _marks[index];
        _marks[index] = mark with { EchoedMs = atMs, EchoedByClear = byClear };
        echoed.Add(mark.Name);
        _record(TimelineKind.MarkEchoed, atMs, byClear ? $"mark \"{mark.Name}\" echoed (released by clear)" : $"mark \"{mark.Name}\" echoed");
    }

    // Audio items use StartMs/EndMs as their playout window; mark items use StartMs as their due time.
    private sealed class QueueItem
    {
        public short[]? Audio { get; init; }

        public int MarkIndex { get; init; } = -1;

        public double StartMs { get; init; }

        public double EndMs { get; init; }

        public bool StartsTurn { get; init; }

        public bool Started { get; set; }
    }

    private sealed class TurnState(int index, double startMs)
    {
        public int Index { get; } = index;

        public double StartMs { get; } = startMs;

        public double PlayedMs { get; set; }

        public int Underruns { get; set; }

        // When the turn's queued audio ran out; the turn ends if nothing arrives within the turn gap.
        public double? DryAtMs { get; set; }
    }
}
