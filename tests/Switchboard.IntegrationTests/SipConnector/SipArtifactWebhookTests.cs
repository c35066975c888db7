using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using Switchboard.Testing.Sip;

namespace Switchboard.IntegrationTests.SipConnector;

/// <summary>The <c>call.artifact</c> webhook of a SIP connector call holds its transcript, tools, transfer and usage like any phone call's.</summary>
public class SipArtifactWebhookTests
{
    [Fact]
    public async Task TransferredSipCall_CallArtifactWebhook_HasTranscriptToolsTransferAndUsage()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake, WebhookTestKit.Settings());
        await SipGateway.SetSpecAsync(gateway, s => s with
        {
            Tools = [new ToolSpec { Name = "transfer_call" }],
            Transfer = new TransferSpec { Targets = [new TransferTargetSpec { Name = "billing", To = "+15551234567" }] },
        });
        var (_, secret) = await WebhookTestKit.SubscribeAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints), receiver.Url, ["call.artifact"]);

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_artifact"));
        await SipGateway.AnswerGreetingAsync(fake);
        await SipGateway.CallerSaysAsync(fake, "item_c1", "Billing, please.");
        await SipGateway.CallToolAsync(fake, "resp_1", "call_t", "transfer_call", """{"target":"billing"}""");
        await fake.Sideband.WaitForAsync("response.create");
        await SipGateway.SpeakAsync(fake, "resp_2", "item_a2", "Transferring you now.", audioTokens: 4);
        await fake.WaitForAsync("refer", "rtc_artifact");

        var received = await receiver.WaitForAsync(r => r.Any(x => x.Type == "call.artifact"));
        var webhook = Assert.Single(received, r => r.Type == "call.artifact");
        Assert.True(webhook.SignatureIsValid(secret));
        var data = webhook.Json.GetProperty("data");
        Assert.Equal("sip", data.GetProperty("carrier").GetProperty("name").GetString());
        Assert.Equal("rtc_artifact", data.GetProperty("carrier").GetProperty("callId").GetString());
        Assert.Equal("+*******1111", data.GetProperty("from").GetString());
        Assert.Equal(CallEndReason.Transferred, data.GetProperty("endReason").GetString());
        var transcript = data.GetProperty("transcript").EnumerateArray().Select(t => t.GetProperty("role").GetString() + ": " + t.GetProperty("text").GetString()).ToList();
        Assert.Equal(["agent: " + SipGateway.Greeting, "caller: Billing, please.", "agent: Transferring you now."], transcript);
        Assert.Equal("transfer_call", Assert.Single(data.GetProperty("toolCalls").EnumerateArray()).GetProperty("name").GetString());
        var transfer = data.GetProperty("transfer");
        Assert.Equal("accepted", transfer.GetProperty("outcome").GetString());
        Assert.Equal("+15551234567", transfer.GetProperty("to").GetString());
        Assert.Contains("no outcome", transfer.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(data.GetProperty("usage").GetProperty("responses").GetInt32() >= 3);
        Assert.Equal(JsonValueKind.Object, data.GetProperty("cost").ValueKind);
    }
}
