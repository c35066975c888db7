using Microsoft.Extensions.Time.Testing;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;

namespace Switchboard.Tests.SipConnector;

public class RemotePlayoutTests
{
    private static RealtimeUsage Audio(int tokens) => new(0, 0, tokens, 0, 0, 0, 0, tokens);

    [Fact]
    public async Task WaitAsync_NoBufferEvents_ReturnsOnceTheAudioTokensDurationHasPassed()
    {
        var time = new FakeTimeProvider();
        var playout = new RemotePlayout(time);
        playout.OnResponseCreated("resp_1");
        playout.OnResponseDone("resp_1", Audio(40)); // 2 s

        var wait = playout.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1900));
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(150));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_WithoutUsage_EstimatesFromTheTranscript()
    {
        var time = new FakeTimeProvider();
        var playout = new RemotePlayout(time);
        playout.OnResponseCreated("resp_1");
        playout.OnTranscript("resp_1", new string('a', 20)); // 1.4 s
        playout.OnResponseDone("resp_1", null);

        var wait = playout.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1300));
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(200));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_BackendReportsPlayback_WaitsForStoppedNotTheEstimate()
    {
        var time = new FakeTimeProvider();
        var playout = new RemotePlayout(time);
        playout.OnResponseCreated("resp_1");
        playout.OnBufferStarted("resp_1");
        playout.OnResponseDone("resp_1", Audio(2)); // 100 ms estimated

        var wait = playout.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        playout.OnBufferStopped("resp_1");
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_CapPasses_ReturnsAnyway()
    {
        var time = new FakeTimeProvider();
        var playout = new RemotePlayout(time);
        playout.OnResponseCreated("resp_1");
        playout.OnBufferStarted("resp_1");

        var wait = playout.WaitAsync(TimeSpan.FromSeconds(3), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(3));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_NothingSpoken_OrAResponseWithoutAudio_ReturnsAtOnce()
    {
        var time = new FakeTimeProvider();
        var playout = new RemotePlayout(time);
        await playout.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        playout.OnResponseCreated("resp_tool");
        playout.OnResponseDone("resp_tool", new RealtimeUsage(10, 5, 5, 5, 0, 0, 5, 0));
        await playout.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
