using System.Diagnostics;

namespace Switchboard.LoadGen;

/// <summary>
/// The one loop that paces every call's media: a dedicated thread ticks every 20 ms against an absolute
/// clock (never "sleep 20 ms", so lateness does not accumulate). Each tick is cut into
/// <see cref="Slots"/> sub-slots and call <c>i</c> sends in sub-slot <c>i % Slots</c>, so N calls are spread
/// across the 20 ms instead of bursting at once. Lateness against the due time is recorded per slot.
/// </summary>
internal sealed class MediaScheduler(IReadOnlyList<SimulatedCall> calls, int frames)
{
    public const int FrameMs = 20;
    public const int Slots = 10;

    private readonly List<long> _lateness = new(frames * Slots);

    /// <summary>Absolute start of frame 0 (valid once <see cref="Run"/> started).</summary>
    public long Start { get; private set; }

    public LatencySummary Lateness => LatencySummary.FromTicks(_lateness);

    public Task RunAsync(long start, CancellationToken token)
    {
        Start = start;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(token);
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "media-scheduler",
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        return done.Task;
    }

    private void Run(CancellationToken token)
    {
        var slotTicks = Stopwatch.Frequency * FrameMs / 1000 / Slots;
        var bySlot = new List<SimulatedCall>[Slots];
        for (var s = 0; s < Slots; s++)
        {
            bySlot[s] = [];
        }

        foreach (var call in calls)
        {
            bySlot[call.State.Index % Slots].Add(call);
        }

        for (var frame = 0; frame < frames && !token.IsCancellationRequested; frame++)
        {
            for (var slot = 0; slot < Slots; slot++)
            {
                var due = Start + ((long)frame * Slots + slot) * slotTicks;
                WaitUntil(due);
                _lateness.Add(Ticks.Now - due);
                foreach (var call in bySlot[slot])
                {
                    call.SendFrame(frame, token);
                }
            }
        }
    }

    private static void WaitUntil(long due)
    {
        while (true)
        {
            var remaining = due - Ticks.Now;
            if (remaining <= 0)
            {
                return;
            }

            // Sleep rather than spin: spinning would take CPU from the gateway on the same cores.
            var ms = remaining * 1000 / Stopwatch.Frequency;
            Thread.Sleep(ms >= 2 ? (int)ms - 1 : 1);
        }
    }
}
