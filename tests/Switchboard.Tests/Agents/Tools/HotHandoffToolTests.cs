using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Agents;
using Switchboard.Agents.Tools;

namespace Switchboard.Tests.Agents.Tools;

public class HotHandoffToolTests
{
    private sealed class FailingInvoker : IToolInvoker
    {
        public int Calls;

        public Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult("""{"error":"not here"}""");
        }
    }

    [Fact]
    public async Task RunAsync_HotHandoff_JournalsThroughTheHookOnceAndAnswersOk_WithoutTheInvoker()
    {
        var invoker = new FailingInvoker();
        var seen = new List<(string, string)>();
        var runner = new ToolRunner([new ToolSpec { Name = "hot_handoff" }], invoker, TimeProvider.System, NullLogger.Instance)
        {
            HotHandoff = (id, args) => seen.Add((id, args)),
        };
        const string args = """{"reason":"qualified lead","data":{"budget":5000}}""";

        var first = await runner.RunAsync("call_1", "fc_1", "hot_handoff", args, CancellationToken.None);
        var again = await runner.RunAsync("call_1", "fc_1", "hot_handoff", args, CancellationToken.None);

        Assert.Equal((ToolOutcome.Ok, """{"ok":true}"""), (first.Status, first.OutputJson));
        Assert.Same(first, again);
        Assert.Equal([("fc_1", args)], seen);
        Assert.Equal(0, invoker.Calls);
    }

    [Fact]
    public async Task RunAsync_HotHandoffWithoutReason_IsRefusedByTheDefaultSchema()
    {
        var seen = 0;
        var runner = new ToolRunner([new ToolSpec { Name = "hot_handoff" }], new FailingInvoker(), TimeProvider.System, NullLogger.Instance) { HotHandoff = (_, _) => seen++ };

        var outcome = await runner.RunAsync("call_1", "fc_1", "hot_handoff", """{"data":{}}""", CancellationToken.None);

        Assert.Equal(ToolOutcome.InvalidArguments, outcome.Status);
        Assert.Equal(0, seen);
    }

    [Fact]
    public async Task RunAsync_HttpToolNamedHotHandoff_IsAnOrdinaryTool()
    {
        var invoker = new FailingInvoker();
        var seen = 0;
        var runner = new ToolRunner([new ToolSpec { Name = "hot_handoff", Http = new HttpToolSpec { Url = "https://crm.example.com/lead" } }], invoker,
            TimeProvider.System, NullLogger.Instance) { HotHandoff = (_, _) => seen++ };

        await runner.RunAsync("call_1", "fc_1", "hot_handoff", """{"reason":"x"}""", CancellationToken.None);

        Assert.Equal((1, 0), (invoker.Calls, seen));
    }

    [Fact]
    public void WithDefaults_FillsOnlyWhatIsMissing()
    {
        using var custom = JsonDocument.Parse("""{"type":"object","properties":{"lead":{"type":"string"}}}""");
        var tools = HotHandoffTool.WithDefaults([new ToolSpec { Name = "hot_handoff", Parameters = custom.RootElement.Clone() }, new ToolSpec { Name = "other" }]);

        Assert.Equal(HotHandoffTool.DefaultDescription, tools[0].Description);
        Assert.True(tools[0].Parameters!.Value.GetProperty("properties").TryGetProperty("lead", out _));
        Assert.Null(tools[1].Description);
    }

    [Fact]
    public void StoredSpec_DeclaringHotHandoffByName_GetsTheDefaultDescriptionAndParameters()
    {
        var spec = AgentSpecJson.ParseStrict("""{"tools":[{"name":"hot_handoff"}]}""");

        var tool = Assert.Single(spec.Tools);
        Assert.Equal(HotHandoffTool.DefaultDescription, tool.Description);
        Assert.Equal(["reason"], tool.Parameters!.Value.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HotHandoffTool.DefaultDescription, AgentSpecJson.ParseStored(AgentSpecJson.Serialize(spec)).Tools[0].Description);
    }

    [Theory]
    [InlineData("""{"reason":"qualified lead"}""", "qualified lead")]
    [InlineData("""{"reason":5}""", null)]
    [InlineData("not json", null)]
    public void Reason_ReadsTheReasonArgument(string args, string? expected) => Assert.Equal(expected, BuiltInTools.Reason(args));
}
