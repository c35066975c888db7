namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// Pulsed by every fake of a harness whenever it records something, so a test waits for a condition without polling or
/// sleeping: <see cref="WaitUntilAsync"/> re-checks the condition on each pulse. Its patience is real time (a test that
/// would hang fails instead); the call's own clock is the harness's fake time.
/// </summary>
internal sealed class HarnessSignal
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next pulse.</summary>
    public Task Next => Volatile.Read(ref _changed).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits until <paramref name="condition"/> holds; <see cref="TimeoutException"/> naming <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? patience = null) => WaitUntilAsync(condition, () => what, patience);

    /// <summary>Waits until <paramref name="condition"/> holds; the timeout's message is <paramref name="what"/> at that moment (the state then).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, Func<string> what, TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? Patience);
        while (true)
        {
            // Take the next pulse before checking, so a change between the check and the wait is not missed.
            var next = Next;
            if (condition())
            {
                return;
            }

            try
            {
                await next.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException($"harness: timed out waiting for {what()}");
            }
        }
    }
}
