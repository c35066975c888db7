using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Tests.Artifacts;

public class CallSummarizerTests
{
    private static RealtimeServerEvent Parse(string json) => RealtimeEventParser.Parse(Encoding.UTF8.GetBytes(json))!;

    [Fact]
    public void For_OnlyWhenTheEndpointAsks()
    {
        Assert.Null(CallSummarizer.For(new AgentSpec(), TimeSpan.FromSeconds(8)));
        Assert.NotNull(CallSummarizer.For(new AgentSpec { Summary = new SummarySpec { Enabled = true } }, TimeSpan.FromSeconds(8)));
    }

    [Fact]
    public void WriteRequest_IsAnOutOfBandTextResponseTaggedWithMetadata()
    {
        var buffer = new ArrayBufferWriter<byte>();
        CallSummarizer.WriteRequest(buffer, "Summarize.");

        var root = JsonDocument.Parse(buffer.WrittenMemory).RootElement;
        Assert.Equal("response.create", root.GetProperty("type").GetString());
        var response = root.GetProperty("response");
        Assert.Equal("none", response.GetProperty("conversation").GetString());
        Assert.Equal(["text"], response.GetProperty("output_modalities").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Summarize.", response.GetProperty("instructions").GetString());
        Assert.Equal("summary", response.GetProperty("metadata").GetProperty("switchboard").GetString());
    }

    [Fact]
    public async Task RequestAsync_CollectsTheTaggedResponsesText_AndLeavesOtherResponsesToTheConversation()
    {
        var summarizer = new CallSummarizer(new SummarySpec { Enabled = true, Instructions = "Custom." }, TimeSpan.FromSeconds(5));
        string? sent = null;
        Assert.False(summarizer.Observe(Parse("""{"type":"response.created","response":{"id":"resp_early","metadata":{"switchboard":"summary"}}}""")));

        var request = summarizer.RequestAsync(m => { sent = Encoding.UTF8.GetString(m.Span); return ValueTask.FromResult(true); }, CancellationToken.None);

        Assert.Contains("\"Custom.\"", sent, StringComparison.Ordinal);
        Assert.False(summarizer.Observe(Parse("""{"type":"response.created","response":{"id":"resp_1"}}""")));
        Assert.True(summarizer.Observe(Parse("""{"type":"response.created","response":{"id":"resp_s","metadata":{"switchboard":"summary"}}}""")));
        Assert.False(summarizer.Observe(Parse("""{"type":"response.output_text.delta","response_id":"resp_1","item_id":"i1","delta":"Hi"}""")));
        Assert.True(summarizer.Observe(Parse("""{"type":"response.output_text.delta","response_id":"resp_s","item_id":"i2","delta":"Caller "}""")));
        Assert.True(summarizer.Observe(Parse("""{"type":"response.output_text.delta","response_id":"resp_s","item_id":"i2","delta":"asked."}""")));
        Assert.False(request.IsCompleted);
        Assert.True(summarizer.Observe(Parse("""
            {"type":"response.done","response":{"id":"resp_s","status":"completed","metadata":{"switchboard":"summary"},
             "usage":{"total_tokens":30,"input_tokens":20,"output_tokens":10,"input_token_details":{"text_tokens":20,"audio_tokens":0},"output_token_details":{"text_tokens":10,"audio_tokens":0}}}}
            """)));

        var result = await request;
        Assert.Equal(("Caller asked.", "resp_s", "completed"), (result!.Text, result.ResponseId, result.Status));
        Assert.Equal(30, result.Usage!.TotalTokens);
    }

    [Fact]
    public async Task RequestAsync_NoAnswer_GivesUpAfterTheTimeout()
    {
        var summarizer = new CallSummarizer(new SummarySpec { Enabled = true }, TimeSpan.FromMilliseconds(50));

        Assert.Null(await summarizer.RequestAsync(_ => ValueTask.FromResult(true), CancellationToken.None));
    }

    [Fact]
    public async Task RequestAsync_SendFails_IsNull()
    {
        var summarizer = new CallSummarizer(new SummarySpec { Enabled = true }, TimeSpan.FromSeconds(5));

        Assert.Null(await summarizer.RequestAsync(_ => ValueTask.FromResult(false), CancellationToken.None));
    }
}
