using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Switchboard.Transport;

/// <summary>Receives a registered socket's readiness on its loop thread.</summary>
internal interface ILoopHandler
{
    /// <summary>Called on the loop thread with the <c>EPOLL*</c> bits reported for the socket; must not block.</summary>
    void OnEvents(uint events);
}

/// <summary>
/// One thread per core, each waiting in its own <c>epoll_wait</c> for the media sockets registered on it: Node's single
/// event loop, on every core. A socket's readiness is handled on the loop thread, and the read it completes continues there
/// (frame parsing, the relay, the send on the other leg) instead of being handed to the thread pool: no thread hop and no
/// wake-up of a second thread per message. Sockets are registered edge-triggered once, for the life of the connection, so
/// a message costs no <c>epoll_ctl</c>; see <see cref="LoopSocket"/> for how reads avoid the extra <c>recv</c> that
/// edge-triggered designs usually pay. Linux only (<see cref="IsSupported"/>).
/// </summary>
internal sealed unsafe class EventLoop
{
    private const int MaxEvents = 256;

    private static readonly Lock SlotsGate = new();
    private static readonly Lazy<EventLoop[]> Loops = new(Start);
    private static Slot[] Slots = new Slot[64];
    private static int SlotCount;
    private static readonly Stack<int> FreeSlots = new();
    private static int NextLoop;
    private static long FaultCount;

    [ThreadStatic]
    private static EventLoop? CurrentLoop;

    private readonly int _epfd;

    private EventLoop(int index)
    {
        _epfd = Libc.EpollCreate(Libc.EpollCloexec);
        if (_epfd < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        Index = index;
        var thread = new Thread(Run) { IsBackground = true, Name = $"switchboard-loop-{index}" };
        thread.UnsafeStart();
    }

    /// <summary>True where the loop can run (Linux: epoll).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// Whether new media connections (the agent leg's WebSocket, carrier and session sockets handed over after the upgrade)
    /// run on the loops. Set once at start-up from <c>Switchboard:Performance:EventLoop</c>; off unless the host turns it on.
    /// </summary>
    public static bool Enabled { get; set; }

    /// <summary>
    /// How many loop threads to start (0: one per processor the process may use). Set once at start-up from
    /// <c>Switchboard:Performance:EventLoopThreads</c>, before the first media connection starts them.
    /// </summary>
    public static int Threads { get; set; }

    /// <summary>
    /// How long a busy loop pauses after handling a batch of events before it waits for the next (0: never). Events that
    /// arrive meanwhile are fetched together by one <c>epoll_wait</c> instead of one wake-up each: a network card's
    /// interrupt moderation, in the loop. A loop is busy when its last wait for events was shorter than the pause (events
    /// arrive faster than that); a quiet loop handles each event at once. It delays a message by at most this long. Set once at start-up from
    /// <c>Switchboard:Performance:EventLoopCoalesceMicroseconds</c>.
    /// </summary>
    public static int CoalesceMicroseconds { get; set; }

    /// <summary>True when media connections should use the loops now.</summary>
    public static bool InUse => Enabled && IsSupported;

    /// <summary>How many loop threads run: one per processor the process may use.</summary>
    public static int Count => Loops.Value.Length;

    /// <summary>Handler exceptions the loops caught (a handler must not throw; counted, not fatal).</summary>
    public static long Faults => Interlocked.Read(ref FaultCount);

    /// <summary>This loop's position among <see cref="Count"/>.</summary>
    public int Index { get; }

    internal int EpollFd => _epfd;

    /// <summary>
    /// The loop for a new socket: the calling thread's own loop when it is one (so a call's second leg, opened from the
    /// first leg's continuation, shares its thread and the relay between them crosses no thread), else the next in turn.
    /// </summary>
    public static EventLoop Pick()
    {
        if (CurrentLoop is { } current)
        {
            return current;
        }

        var loops = Loops.Value;
        var next = (uint)Interlocked.Increment(ref NextLoop);
        return loops[next % (uint)loops.Length];
    }

    /// <summary>True on one of the loop threads.</summary>
    public static bool OnLoopThread => CurrentLoop is not null;

    /// <summary>Adds <paramref name="fd"/> edge-triggered for input, output and the peer's close; returns the token to remove it with.</summary>
    public ulong Register(nint fd, ILoopHandler handler)
    {
        var token = Allocate(handler);
        if (Libc.EpollAdd(_epfd, fd, Libc.EpollIn | Libc.EpollOut | Libc.EpollRdHup | Libc.EpollEt, token) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Free(token);
            throw new System.Net.Sockets.SocketException(errno);
        }

        return token;
    }

    /// <summary>Removes <paramref name="fd"/> before it is closed; events already fetched for its token are dropped.</summary>
    public void Unregister(nint fd, ulong token)
    {
        _ = Libc.EpollDelete(_epfd, fd);
        Free(token);
    }

    private static EventLoop[] Start()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("The event loop needs Linux (epoll).");
        }

        var loops = new EventLoop[Math.Clamp(Threads > 0 ? Threads : Environment.ProcessorCount, 1, 64)];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = new EventLoop(i);
        }

        return loops;
    }

    // Tokens carry a generation beside the slot index: a slot freed and reused while an event for its old socket is
    // still in a fetched batch does not deliver that event to the new socket.
    private static ulong Allocate(ILoopHandler handler)
    {
        lock (SlotsGate)
        {
            int index;
            if (FreeSlots.Count > 0)
            {
                index = FreeSlots.Pop();
            }
            else
            {
                if (SlotCount == Slots.Length)
                {
                    Array.Resize(ref Slots, Slots.Length * 2);
                }

                index = SlotCount++;
                Slots[index] = new Slot();
            }

            var slot = Slots[index];
            slot.Handler = handler;
            return ((ulong)slot.Generation << 32) | (uint)index;
        }
    }

    private static void Free(ulong token)
    {
        lock (SlotsGate)
        {
            var slot = Slots[(int)(uint)token];
            if (slot.Generation != (uint)(token >> 32))
            {
                return;
            }

            slot.Handler = null;
            slot.Generation++;
            FreeSlots.Push((int)(uint)token);
        }
    }

    private static bool TryFind(ulong token, [NotNullWhen(true)] out ILoopHandler? handler)
    {
        var slots = Volatile.Read(ref Slots);
        var index = (int)(uint)token;
        handler = null;
        if ((uint)index >= (uint)slots.Length || slots[index] is not { } slot)
        {
            return false;
        }

        handler = slot.Handler;
        return handler is not null && slot.Generation == (uint)(token >> 32);
    }

    private void Run()
    {
        CurrentLoop = this;
        var size = Libc.EpollEventSize;
        var offset = Libc.EpollDataOffset;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        var pause = CoalesceMicroseconds;
        var pauseTicks = pause * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
        while (true)
        {
            var waitStarted = pause > 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
            var count = Libc.EpollWait(_epfd, events, MaxEvents, -1);
            // Events come faster than the pause when the wait was shorter than it: only then does pausing gather several
            // per wake-up. A quiet loop (a wait longer than the pause) handles the next event at once, as without it.
            var busy = pause > 0 && System.Diagnostics.Stopwatch.GetTimestamp() - waitStarted < pauseTicks;
            if (count < 0)
            {
                // EINTR (a signal, a debugger) is the only expected failure; anything else would spin, so pause.
                if (Marshal.GetLastPInvokeError() != Libc.EIntr)
                {
                    Thread.Sleep(10);
                }

                continue;
            }

            for (var i = 0; i < count; i++)
            {
                var entry = events + (i * size);
                if (!TryFind(*(ulong*)(entry + offset), out var handler))
                {
                    continue;
                }

                try
                {
                    handler.OnEvents(*(uint*)entry);
                }
                catch (Exception)
                {
                    // A continuation's fault belongs to its own call; the loop serves every other socket on it.
                    Interlocked.Increment(ref FaultCount);
                }
            }

            // A full batch means more is waiting: fetch it at once. Otherwise, when busy, let the next events gather first.
            if (busy && count < MaxEvents)
            {
                Libc.SleepMicroseconds(pause);
            }
        }
    }

    private sealed class Slot
    {
        public volatile ILoopHandler? Handler;
        public volatile uint Generation;
    }
}
