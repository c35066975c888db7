namespace Switchboard.Webhooks;

/// <summary>
/// Wakes the dispatcher of this process as soon as a delivery is committed, so the common case has no polling lag.
/// Deliveries committed by another node are found by polling.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim only needs disposing once its AvailableWaitHandle is used, which this class never does")]
internal sealed class WebhookSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Marks work as available (coalesces: many signals before a wait wake it once).</summary>
    public void Notify()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Another thread released it first: already signalled.
        }
    }

    /// <summary>Waits for a signal or the timeout; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
