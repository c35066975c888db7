using System.Runtime.CompilerServices;

namespace Switchboard.Transport;

/// <summary>
/// With inline socket I/O (<c>Switchboard:Performance:InlineIo</c>) continuations run on the few socket-engine
/// threads that carry every call's audio. Work that may block (synchronous database drivers) calls
/// <see cref="LeaveAsync"/> first so a slow query delays one request, not every call on that thread.
/// </summary>
internal static class IoThreads
{
    /// <summary>Continues on a thread-pool thread; completes at once when already on one.</summary>
    public static LeaveAwaitable LeaveAsync() => default;

    /// <summary>Awaitable for <see cref="LeaveAsync"/>.</summary>
    internal readonly struct LeaveAwaitable : ICriticalNotifyCompletion
    {
        public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

        public LeaveAwaitable GetAwaiter() => this;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

        public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
    }
}
