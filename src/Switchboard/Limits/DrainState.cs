namespace Switchboard.Limits;

/// <summary>
/// Whether this node is draining (SIGTERM or <c>POST /api/v1/admin/drain</c>): admission refuses every new call and the
/// health endpoint answers 503 <c>draining</c>, while running calls go on until the drain's timeout.
/// </summary>
internal sealed class DrainState
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sinceTicks;

    public bool IsDraining => _started.Task.IsCompleted;

    /// <summary>When draining began (null while not draining).</summary>
    public DateTimeOffset? Since => IsDraining ? new DateTimeOffset(Interlocked.Read(ref _sinceTicks), TimeSpan.Zero) : null;

    /// <summary>Completes when draining begins.</summary>
    public Task Started => _started.Task;

    /// <summary>Starts draining; false when it had already started.</summary>
    public bool Begin(DateTimeOffset now)
    {
        Interlocked.CompareExchange(ref _sinceTicks, now.UtcTicks, 0);
        return _started.TrySetResult();
    }
}
