using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Agents;
using Switchboard.Agents.Tools;

namespace Switchboard.Tests.Agents.Tools;

/// <summary>How a conversation's function calls are run: declared tools only, schema first, timeouts, once per call_id.</summary>
public class ToolRunnerTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""
        {"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}
        """).RootElement.Clone();

    private sealed class CountingInvoker(Func<ToolCall, CancellationToken, Task<string>> run) : IToolInvoker
    {
        public int Calls;

        public Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return run(call, cancellationToken);
        }
    }

    private static ToolRunner Runner(IToolInvoker invoker, int timeoutSeconds = 0) =>
        new([new ToolSpec { Name = "lookup_order", Parameters = Schema, TimeoutSeconds = timeoutSeconds }], invoker, TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task ValidCall_RunsTheInvokerWithTheCallsIdentity()
    {
        ToolCall? seen = null;
        var invoker = new CountingInvoker((call, _) => { seen = call; return Task.FromResult("""{"status":"shipped"}"""); });

        var outcome = await Runner(invoker).RunAsync("call_1", "fc_1", "lookup_order", """{"order_id":"A-1"}""", CancellationToken.None);

        Assert.Equal(ToolOutcome.Ok, outcome.Status);
        Assert.Equal("""{"status":"shipped"}""", outcome.OutputJson);
        Assert.NotNull(seen);
        Assert.Equal(("call_1", "fc_1", "lookup_order", """{"order_id":"A-1"}"""), (seen.CallId, seen.ToolCallId, seen.Name, seen.ArgumentsJson));
        Assert.Equal("lookup_order", seen.Spec?.Name);
    }

    [Theory]
    [InlineData("""{"order":"A-1"}""", "invalid_arguments")]
    [InlineData("""{"order_id":""", "invalid_arguments")]
    public async Task BadArguments_NeverReachTheInvoker_AndTheModelIsToldWhy(string arguments, string code)
    {
        var invoker = new CountingInvoker((_, _) => Task.FromResult("{}"));

        var outcome = await Runner(invoker).RunAsync("call_1", "fc_1", "lookup_order", arguments, CancellationToken.None);

        Assert.Equal(code, outcome.Status);
        Assert.Equal(0, invoker.Calls);
        using var output = JsonDocument.Parse(outcome.OutputJson);
        Assert.Equal(code, output.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(output.RootElement.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task SchemaViolations_AreListedForTheModel()
    {
        var outcome = await Runner(new CountingInvoker((_, _) => Task.FromResult("{}"))).RunAsync("c", "fc", "lookup_order", """{"order_id":5}""", CancellationToken.None);

        using var output = JsonDocument.Parse(outcome.OutputJson);
        Assert.Contains("$.order_id", Assert.Single(output.RootElement.GetProperty("details").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndeclaredTool_IsUnknownAndNotRun()
    {
        var invoker = new CountingInvoker((_, _) => Task.FromResult("{}"));

        var outcome = await Runner(invoker).RunAsync("c", "fc", "delete_everything", "{}", CancellationToken.None);

        Assert.Equal(ToolOutcome.UnknownTool, outcome.Status);
        Assert.Equal(0, invoker.Calls);
    }

    [Fact]
    public async Task SameCallId_RunsOnce_AndReturnsTheFirstOutcome()
    {
        var invoker = new CountingInvoker(async (_, token) => { await Task.Delay(50, token); return """{"n":1}"""; });
        var runner = Runner(invoker);

        var results = await Task.WhenAll(
            runner.RunAsync("c", "fc_same", "lookup_order", """{"order_id":"A"}""", CancellationToken.None),
            runner.RunAsync("c", "fc_same", "lookup_order", """{"order_id":"A"}""", CancellationToken.None));
        var again = await runner.RunAsync("c", "fc_same", "lookup_order", """{"order_id":"A"}""", CancellationToken.None);

        Assert.Equal(1, invoker.Calls);
        Assert.All(results.Append(again), r => Assert.Equal("""{"n":1}""", r.OutputJson));
    }

    [Fact]
    public async Task SlowTool_TimesOutWithAStructuredError_AndItsTokenIsCancelled()
    {
        var cancelled = new TaskCompletionSource();
        var invoker = new CountingInvoker(async (_, token) =>
        {
            token.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, token);
            return "{}";
        });

        var outcome = await Runner(invoker, timeoutSeconds: 1).RunAsync("c", "fc", "lookup_order", """{"order_id":"A"}""", CancellationToken.None);

        Assert.Equal(ToolOutcome.Timeout, outcome.Status);
        // Cancellation callbacks run last-registered first: Task.Delay's can complete the tool, the runner and
        // this test inline before the tool's own callback has run, so wait for it rather than peeking.
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("1 s", outcome.OutputJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrowingTool_IsAFailureForTheModel_NotAnException()
    {
        var outcome = await Runner(new CountingInvoker((_, _) => throw new HttpRequestException("boom")))
            .RunAsync("c", "fc", "lookup_order", """{"order_id":"A"}""", CancellationToken.None);

        Assert.Equal(ToolOutcome.Failed, outcome.Status);
        Assert.DoesNotContain("boom", outcome.OutputJson, StringComparison.Ordinal);
    }
}
