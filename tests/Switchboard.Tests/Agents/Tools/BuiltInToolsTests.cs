using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Agents;
using Switchboard.Agents.Tools;

namespace Switchboard.Tests.Agents.Tools;

public class BuiltInToolsTests
{
    private static readonly TransferSpec TwoTargets = new()
    {
        Targets =
        [
            new TransferTargetSpec { Name = "billing", To = "+15551234567", Description = "Invoices and payments" },
            new TransferTargetSpec { Name = "desk", To = "sip:desk@pbx.example.com" },
        ],
    };

    [Fact]
    public void Effective_BuiltInsWithoutDescriptionOrParameters_GetDefaults_OtherToolsUntouched()
    {
        var lookup = new ToolSpec { Name = "lookup_order" };
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = "end_call" }, new ToolSpec { Name = "transfer_call" }, lookup], Transfer = TwoTargets };

        var tools = BuiltInTools.Effective(spec);

        Assert.Contains("goodbye", tools[0].Description, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, tools[0].Parameters!.Value.GetProperty("properties").GetProperty("reason").ValueKind);
        Assert.False(tools[0].Parameters!.Value.GetProperty("properties").TryGetProperty("target", out _));
        Assert.Contains("billing: Invoices and payments", tools[1].Description, StringComparison.Ordinal);
        var target = tools[1].Parameters!.Value.GetProperty("properties").GetProperty("target");
        Assert.Equal(["billing", "desk"], target.GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("target", tools[1].Parameters!.Value.GetProperty("required")[0].GetString());
        Assert.Same(lookup, tools[2]);
    }

    [Fact]
    public void Effective_DeclaredDescriptionAndParameters_AreKept()
    {
        using var schema = JsonDocument.Parse("""{"type":"object"}""");
        var declared = new ToolSpec { Name = "handoff_human", Description = "Mine", Parameters = schema.RootElement.Clone() };

        var tool = Assert.Single(BuiltInTools.Effective(new AgentSpec { Tools = [declared], Transfer = TwoTargets }));

        Assert.Same(declared, tool);
    }

    [Theory]
    [InlineData("""{"target":"desk","reason":"IT"}""", "desk", null)]
    [InlineData("""{"target":"+15559999999"}""", null, "'+15559999999' is not an allowed target; the allowed targets are: billing, desk")]
    [InlineData("{}", null, "name a target: one of billing, desk")]
    [InlineData("not json", null, "the arguments are not valid JSON")]
    public void ResolveTarget_OnlyTheAllowListByName(string arguments, string? expected, string? problem)
    {
        var target = BuiltInTools.ResolveTarget(TwoTargets, arguments, out _, out var why);

        Assert.Equal(expected, target?.Name);
        Assert.Equal(problem, why);
    }

    [Fact]
    public void ResolveTarget_SingleTargetAndNoName_IsThatTarget()
    {
        var single = new TransferSpec { Targets = [new TransferTargetSpec { Name = "people", To = "+15551234567" }] };

        Assert.Equal("people", BuiltInTools.ResolveTarget(single, """{"reason":"asked for a person"}""", out var reason, out _)?.Name);
        Assert.Equal("asked for a person", reason);
        Assert.False(BuiltInTools.Effective(new AgentSpec { Tools = [new ToolSpec { Name = "transfer_call" }], Transfer = single })[0]
            .Parameters!.Value.TryGetProperty("required", out _));
    }

    [Fact]
    public async Task DefaultSchema_RefusesAnInventedNumberBeforeAnythingRuns()
    {
        var tools = BuiltInTools.Effective(new AgentSpec { Tools = [new ToolSpec { Name = "transfer_call" }], Transfer = TwoTargets });
        var runner = new ToolRunner(tools, new NoToolsInvoker(), TimeProvider.System, NullLogger.Instance);

        var outcome = await runner.RunAsync("call_1", "fc_1", "transfer_call", """{"target":"+15559999999"}""", CancellationToken.None);

        Assert.Equal(ToolOutcome.InvalidArguments, outcome.Status);
    }
}
