using Switchboard.Transport;

namespace Switchboard.Tests.Transport;

public sealed class IoThreadsTests
{
    [Fact]
    public async Task LeaveAsync_FromADedicatedThread_ContinuesOnAThreadPoolThread()
    {
        // A socket-engine thread is a dedicated thread, not a pool thread; stand in for it with one.
        var done = new TaskCompletionSource<(bool BeforeWasPool, bool AfterIsPool, bool SameThread)>();
        var thread = new Thread(() => Run().GetAwaiter().GetResult()) { IsBackground = true };
        thread.Start();
        var (beforeWasPool, afterIsPool, sameThread) = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(beforeWasPool);
        Assert.True(afterIsPool);
        Assert.False(sameThread);

        async Task Run()
        {
            var before = Thread.CurrentThread;
            var beforeWasPool = before.IsThreadPoolThread;
            await IoThreads.LeaveAsync();
            done.SetResult((beforeWasPool, Thread.CurrentThread.IsThreadPoolThread, ReferenceEquals(before, Thread.CurrentThread)));
        }
    }

    [Fact]
    public async Task LeaveAsync_OnAThreadPoolThread_CompletesInline()
    {
        var (before, after) = await Task.Run(async () =>
        {
            var thread = Thread.CurrentThread;
            var awaitable = IoThreads.LeaveAsync();
            Assert.True(awaitable.IsCompleted);
            await awaitable;
            return (thread, Thread.CurrentThread);
        });

        Assert.Same(before, after);
    }
}
