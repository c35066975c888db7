using System.Runtime.InteropServices;

namespace Switchboard.Transport;

/// <summary>
/// The few Linux calls the event loop makes itself: epoll, and <c>recv</c>/<c>send</c> on non-blocking sockets. Errors
/// come back as <c>errno</c> values (<see cref="Marshal.GetLastPInvokeError"/>); only the ones the loop acts on are named.
/// </summary>
internal static unsafe partial class Libc
{
    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;

    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEt = 1u << 31;

    public const int MsgNoSignal = 0x4000;

    public const int FGetFl = 3;
    public const int FSetFl = 4;
    public const int ONonBlock = 0x800;

    public const int EIntr = 4;
    public const int EAgain = 11;

    /// <summary>
    /// <c>struct epoll_event</c>: a 32-bit event mask and a 64-bit datum, packed on x86-64 (12 bytes) and naturally aligned
    /// elsewhere (16 bytes).
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>Where the datum sits in <c>struct epoll_event</c>.</summary>
    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(nint fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(nint fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, long* request, long* remaining);

    /// <summary>Sleeps <paramref name="microseconds"/> on the monotonic clock (a signal may cut it short; that is fine here).</summary>
    public static void SleepMicroseconds(int microseconds)
    {
        var request = stackalloc long[2];
        request[0] = microseconds / 1_000_000;
        request[1] = microseconds % 1_000_000 * 1000L;
        _ = ClockNanosleep(1, 0, request, null);
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(nint fd, int cmd, int arg);

    /// <summary>Adds <paramref name="fd"/> to <paramref name="epfd"/> with <paramref name="events"/> and <paramref name="data"/>.</summary>
    public static int EpollAdd(int epfd, nint fd, uint events, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollDataOffset) = data;
        return EpollCtl(epfd, EpollCtlAdd, (int)fd, ev);
    }

    /// <summary>Removes <paramref name="fd"/> from <paramref name="epfd"/> (a kernel older than 2.6.9 wants a non-null event).</summary>
    public static int EpollDelete(int epfd, nint fd)
    {
        var ev = stackalloc byte[16];
        return EpollCtl(epfd, EpollCtlDel, (int)fd, ev);
    }

    /// <summary>Puts <paramref name="fd"/> in non-blocking mode; false with <c>errno</c> set when that fails.</summary>
    public static bool SetNonBlocking(nint fd)
    {
        var flags = Fcntl(fd, FGetFl, 0);
        return flags >= 0 && ((flags & ONonBlock) != 0 || Fcntl(fd, FSetFl, flags | ONonBlock) == 0);
    }
}
