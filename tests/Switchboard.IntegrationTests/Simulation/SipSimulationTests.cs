using System.Net;
using System.Net.Sockets;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Cli;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Simulation;

/// <summary>
/// <c>switchboard simulate --sip</c> against a real gateway in the insecure local mode: a whole SIP connector call on one
/// machine with no account — webhook, accept, sideband to the local backend, a scripted tool, and the hang-up or REFER.
/// </summary>
public class SipSimulationTests
{
    [Theory]
    [InlineData("goodbye.json", "hangup: the call ends", CallEndReason.AgentEnded)]
    [InlineData("transfer.json", "REFER to tel:+15551234567", CallEndReason.Transferred)]
    public async Task SimulateSip_ScriptedAgent_RunsTheWholeCall(string scenario, string expectedLine, string expectedEnd)
    {
        var listen = "http://127.0.0.1:" + TestPorts.Unused();
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Sip:InsecureSkipSignature"] = "true",
            ["Switchboard:Sip:ApiBaseUrl"] = listen + "/v1",
            ["Switchboard:OpenAI:RealtimeUrl"] = "ws" + listen["http".Length..] + "/v1/realtime",
        });
        var teams = await gateway.Store.ListTeamsAsync(CancellationToken.None);
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(teams[0].Id, CancellationToken.None))!;
        await gateway.Store.UpdateEndpointAsync(endpoint with
        {
            Spec = endpoint.Spec with
            {
                Greeting = "Thanks for calling Acme.",
                Tools = [new ToolSpec { Name = "end_call" }, new ToolSpec { Name = "transfer_call" }],
                Transfer = new TransferSpec { Targets = [new TransferTargetSpec { Name = "billing", To = "+15551234567" }] },
            },
        }, CancellationToken.None);

        var run = await CliRun.InvokeAsync(null, "simulate", "--sip", "--url", gateway.BaseUrl + "/openai/webhook", "--listen", listen,
            "--scenario", RepoPaths.File("samples/scenarios/" + scenario), "--lead-in", "1", "--tail", "6", "--sip-header", "X-Customer-Id=42");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("accept: model gpt-realtime", run.Out, StringComparison.Ordinal);
        Assert.Contains("sideband attached", run.Out, StringComparison.Ordinal);
        Assert.Contains("Greet the caller", run.Out, StringComparison.Ordinal);
        Assert.Contains(expectedLine, run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("PROBLEM", run.Out, StringComparison.Ordinal);

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(expectedEnd, events[^1].Reason);
        var started = events.Single(e => e.Type == CallEventType.CallStarted);
        Assert.Equal("sip", started.Data![CallEventKeys.Carrier]);
        Assert.Equal("42", started.Data["sip_x-customer-id"]);
    }

    [Fact]
    public async Task SimulateSip_GatewayChecksSignatures_UnsignedSimulationIsRefusedWithAHint()
    {
        var listen = "http://127.0.0.1:" + TestPorts.Unused();
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Sip:WebhookSecret"] = "whsec_c3ludGhldGljLXdlYmhvb2stc2VjcmV0",
            ["Switchboard:OpenAI:ApiKey"] = "sk-simulated",
            ["Switchboard:Sip:ApiBaseUrl"] = listen + "/v1",
        });

        var run = await CliRun.InvokeAsync(null, "simulate", "--sip", "--url", gateway.BaseUrl + "/openai/webhook", "--listen", listen);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("TEST_MODE=1", run.Error, StringComparison.Ordinal);
    }

}
