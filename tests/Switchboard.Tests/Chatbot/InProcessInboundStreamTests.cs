using Microsoft.Extensions.Time.Testing;
using Switchboard.Chatbot;

namespace Switchboard.Tests.Chatbot;

public class InProcessInboundStreamTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123);

    [Fact]
    public async Task Append_SameMillisecond_CountsTheSequence_NewMillisecondStartsAtZero()
    {
        var time = new FakeTimeProvider(Start);
        var stream = new InProcessInboundStream(time);
        Assert.Equal("1765000000123-0", (await stream.AppendAsync("c1", "{}", default)).ToString());
        Assert.Equal("1765000000123-1", (await stream.AppendAsync("c2", "{}", default)).ToString());
        time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal("1765000000128-0", (await stream.AppendAsync("c1", "{}", default)).ToString());
    }

    [Fact]
    public async Task Append_ClockStepsBack_IdsStillGrow()
    {
        var time = new SettableTime { Now = Start };
        var stream = new InProcessInboundStream(time);
        await stream.AppendAsync("c1", "{}", default);
        time.Now = Start.AddSeconds(-1);
        Assert.Equal(new StreamId(1_765_000_000_123, 1), await stream.AppendAsync("c1", "{}", default));
    }

    [Fact]
    public async Task Read_KeepsTheNewestEntriesPerConversation_InOrder()
    {
        var stream = new InProcessInboundStream(new FakeTimeProvider(Start));
        for (var i = 0; i < InProcessInboundStream.EntriesPerConversation + 5; i++)
        {
            await stream.AppendAsync("c1", $"{{\"n\":{i}}}", default);
        }

        await stream.AppendAsync("c2", "{\"other\":true}", default);
        var entries = await stream.ReadAsync("c1", default);
        Assert.Equal(InProcessInboundStream.EntriesPerConversation, entries.Count);
        Assert.Equal("{\"n\":5}", entries[0].BodyJson);
        Assert.Equal($"{{\"n\":{InProcessInboundStream.EntriesPerConversation + 4}}}", entries[^1].BodyJson);
        Assert.Empty(await stream.ReadAsync("nobody", default));
    }

    /// <summary>A clock that can be set backwards (an NTP step), which FakeTimeProvider refuses.</summary>
    private sealed class SettableTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
