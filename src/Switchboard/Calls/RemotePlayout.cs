using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Calls;

/// <summary>
/// What the caller has heard when the backend holds the media (<see cref="IRemoteMediaLeg"/>): there are no playback
/// marks, only the backend's events. The latest response's audio has been heard when the backend says it stopped playing
/// (<c>output_audio_buffer.stopped</c> or <c>.cleared</c>); a backend that never sends those events is trusted for the
/// audio's duration instead, counted from the start of the response: its output audio tokens (one per
/// <see cref="MsPerOutputAudioToken"/> ms) or, without usage, its transcript at a speaking pace. Fed by the backend loop,
/// awaited by the end and transfer actions and by goodbyes.
/// </summary>
internal sealed class RemotePlayout
{
    /// <summary>The backend's assistant audio: one output token per 50 ms (OpenAI's Realtime cost guide).</summary>
    public const double MsPerOutputAudioToken = 50;

    /// <summary>Without usage, a transcript is read aloud at about 14 characters a second.</summary>
    public const double MsPerTranscriptChar = 70;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private Response? _current;
    private bool _bufferEvents;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RemotePlayout(TimeProvider time) => _time = time;

    /// <summary>A response began: the caller starts hearing it about now.</summary>
    public void OnResponseCreated(string responseId) => Update(() => _current = new Response(responseId, _time.GetTimestamp()));

    /// <summary><c>output_audio_buffer.started</c>: the backend plays this response's audio from now (and reports its end).</summary>
    public void OnBufferStarted(string responseId) => Update(() =>
    {
        _bufferEvents = true;
        if (Matches(responseId))
        {
            _current!.StartedAt = _time.GetTimestamp();
            _current.Playing = true;
        }
    });

    /// <summary><c>output_audio_buffer.stopped</c> or <c>.cleared</c>: the response's audio has been heard (or cut off).</summary>
    public void OnBufferStopped(string responseId) => Update(() =>
    {
        _bufferEvents = true;
        if (Matches(responseId))
        {
            _current!.Played = true;
        }
    });

    /// <summary>A piece of the response's spoken transcript (the estimate when no usage comes).</summary>
    public void OnTranscript(string responseId, string text) => Update(() =>
    {
        if (Matches(responseId))
        {
            _current!.Characters += text.Length;
        }
    });

    /// <summary><c>response.done</c>: the response's audio is complete; its length is estimated from its usage (or its transcript).</summary>
    public void OnResponseDone(string responseId, RealtimeUsage? usage) => Update(() =>
    {
        if (!Matches(responseId))
        {
            return;
        }

        var current = _current!;
        current.Done = true;
        current.DurationMs = usage is { OutputAudioTokens: > 0 } u ? u.OutputAudioTokens * MsPerOutputAudioToken : current.Characters * MsPerTranscriptChar;
        // A response without audio (a tool call, a cancelled answer) has nothing left to hear.
        if (current.DurationMs <= 0 && !current.Playing)
        {
            current.Played = true;
        }
    });

    /// <summary>
    /// Returns once the latest response's audio has been heard (or <paramref name="cap"/> passes): when the backend
    /// reports playback, at its <c>stopped</c>; otherwise once the response is done and its duration has passed since it began.
    /// </summary>
    public async Task WaitAsync(TimeSpan cap, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            Task changed;
            TimeSpan wait;
            lock (_gate)
            {
                changed = _changed.Task;
                var left = cap - _time.GetElapsedTime(started);
                if (_current is not { Played: false } current || left <= TimeSpan.Zero)
                {
                    return;
                }

                wait = left;
                if (current.Done && !_bufferEvents)
                {
                    var untilHeard = TimeSpan.FromMilliseconds(current.DurationMs) - _time.GetElapsedTime(current.StartedAt);
                    if (untilHeard <= TimeSpan.Zero)
                    {
                        return;
                    }

                    wait = untilHeard < wait ? untilHeard : wait;
                }
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(wait, _time, stop.Token);
            await Task.WhenAny(changed, delay).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private bool Matches(string responseId) =>
        _current is not null && (responseId.Length == 0 || string.Equals(_current.Id, responseId, StringComparison.Ordinal));

    private void Update(Action change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change();
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>The latest response (under the lock).</summary>
    private sealed class Response(string id, long startedAt)
    {
        public string Id { get; } = id;

        public long StartedAt { get; set; } = startedAt;

        public bool Playing { get; set; }

        public bool Done { get; set; }

        public bool Played { get; set; }

        public int Characters { get; set; }

        public double DurationMs { get; set; }
    }
}
