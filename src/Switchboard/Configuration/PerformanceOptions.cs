namespace Switchboard.Configuration;

/// <summary>How the gateway schedules socket I/O (section <c>Switchboard:Performance</c>).</summary>
public sealed record PerformanceOptions
{
    /// <summary>
    /// Runs media connections on the gateway's own event loops (one thread per core, epoll, Linux): the agent leg's
    /// WebSocket, and carrier and browser-session WebSockets, which the gateway's transport takes over from the HTTP
    /// server after the upgrade. A message then costs one receive and one send, handled on the loop thread without a
    /// thread hop (docs/performance.md, "The event loop"). On by default on Linux; ignored elsewhere. When it is on, the
    /// three Kestrel socket settings below do not apply (the gateway's transport replaces Kestrel's socket transport for
    /// TCP endpoints). Read once at start-up.
    /// </summary>
    public bool EventLoop { get; init; } = true;

    /// <summary>
    /// How many event-loop threads serve media connections when <see cref="EventLoop"/> is on; 0 (the default) starts one
    /// per processor the process may use. Read once at start-up.
    /// </summary>
    public int EventLoopThreads { get; init; }

    /// <summary>
    /// How long an event loop pauses after handling a batch of socket events, so the events arriving meanwhile are
    /// handled together after one wake-up instead of one wake-up each (0 turns it off). Adds at most this much latency
    /// to a message. 0–5000 microseconds. Read once at start-up.
    /// </summary>
    public int EventLoopCoalesceMicroseconds { get; init; }

    /// <summary>
    /// Runs socket completions and everything they continue (frame parsing, the relay, the next send) on the
    /// runtime's socket-engine threads instead of handing each message to the thread pool: Kestrel's
    /// <c>UnsafePreferInlineScheduling</c> plus the runtime's inline socket completions
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, set by the gateway at start-up). Saves the thread
    /// hops of every message (about 9-20 % less CPU per call) but lets one call's burst of work (a barge-in, a
    /// tool result) delay the frames of the other calls on its thread: p99 added latency roughly doubled at
    /// 200 calls on a 2-core machine. Off by default because added latency matters more than CPU; database
    /// work leaves those threads first either way. Read once at start-up.
    /// </summary>
    public bool InlineIo { get; init; }

    /// <summary>
    /// Kestrel's <c>WaitForDataBeforeAllocatingBuffer</c>: wait for each read with a zero-byte receive so an idle
    /// connection holds no receive buffer. True is Kestrel's default; false saves a system call per read at the
    /// price of a pooled 4 KiB block held by every connection between messages. Read once at start-up.
    /// </summary>
    public bool WaitForDataBeforeAllocatingBuffer { get; init; } = true;

    /// <summary>
    /// Kestrel's <c>IOQueueCount</c> (how many queues its socket transport schedules I/O on); null keeps
    /// Kestrel's default (the processor count, capped at 16), 0 schedules on the thread pool directly.
    /// Read once at start-up.
    /// </summary>
    public int? IoQueueCount { get; init; }

    /// <summary>Configuration errors, each naming its key under <paramref name="prefix"/>.</summary>
    public IEnumerable<string> Validate(string prefix)
    {
        if (EventLoopThreads is < 0 or > 64)
        {
            yield return $"{prefix}:EventLoopThreads must be between 0 (one per processor) and 64 (got {EventLoopThreads}).";
        }

        if (EventLoopCoalesceMicroseconds is < 0 or > 5000)
        {
            yield return $"{prefix}:EventLoopCoalesceMicroseconds must be between 0 and 5000 (got {EventLoopCoalesceMicroseconds}).";
        }

        if (IoQueueCount is < 0 or > 64)
        {
            yield return $"{prefix}:IoQueueCount must be between 0 and 64, or unset for Kestrel's default (got {IoQueueCount}).";
        }
    }
}
