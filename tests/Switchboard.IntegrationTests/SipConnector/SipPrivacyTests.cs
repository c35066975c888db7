using Microsoft.Extensions.Logging;
using Switchboard.Agents;
using Switchboard.Artifacts;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.RateLimiting;
using Switchboard.Journal;
using Switchboard.Testing.Realtime;
using Switchboard.Testing.Sip;

namespace Switchboard.IntegrationTests.SipConnector;

/// <summary>
/// Caller identity and privacy on a SIP connector call: the caller's number (from <c>P-Asserted-Identity</c>), the dialled
/// number, the SIP <c>Call-ID</c> and the carrier's <c>X-</c> headers are in the call record; the artifact shows the numbers
/// per the endpoint's privacy; and no log line, at any level, carries a full phone number or an e-mail address.
/// </summary>
public class SipPrivacyTests
{
    [Fact]
    public async Task CallerIdentity_InTheRecord_RedactedInTheArtifact_AndNeverInTheLogs()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        var logs = new LogCapture();
        var settings = new Dictionary<string, string?>
        {
            ["Switchboard:Sip:WebhookSecret"] = SipGateway.Secret,
            ["Switchboard:OpenAI:ApiKey"] = SipGateway.OpenAIKey,
            ["Switchboard:OpenAI:RealtimeUrl"] = fake.RealtimeUrl,
            ["Switchboard:Sip:ApiBaseUrl"] = fake.ApiBaseUrl,
            ["Logging:LogLevel:Default"] = "Trace",
        };
        await using var gateway = await GatewayFixture.StartAsync(settings, b => b.Logging.AddProvider(logs));
        await SipGateway.SetSpecAsync(gateway, s => s with { Privacy = new PrivacySpec { CallerNumber = NumberRedaction.Last4, CalleeNumber = NumberRedaction.None } });

        var body = FakeSipConnector.IncomingCall("rtc_private",
            from: "\"Bob\" <sip:anonymous@anonymous.invalid>;tag=9",
            extraHeaders: [("P-Asserted-Identity", "<sip:+15557654321@carrier.example.com>"), ("X-Customer-Email", "bob.private@example.com")]);
        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_private", body: body));
        await SipGateway.AnswerGreetingAsync(fake);
        // A backend error that echoes what the caller said: it is logged (a warning), masked.
        await fake.Sideband.SendAsync(ServerEvents.Error("invalid_request_error", "bad_value", "Could not reach +15557654321 or bob.private@example.com", null));
        await SipGateway.CallerSaysAsync(fake, "item_c1", "My number is +15557654321.");
        await Task.Delay(200);
        (await fake.Sideband.ConnectionAsync()).Abort();

        var events = await gateway.WaitForEndedCallAsync();
        var started = events.Single(e => e.Type == CallEventType.CallStarted);
        Assert.Equal("+15557654321", started.Data![CallEventKeys.From]);
        Assert.Equal("+15550002222", started.Data[CallEventKeys.To]);
        Assert.Equal("bob.private@example.com", started.Data["sip_x-customer-email"]);
        var artifact = CallArtifactBuilder.Build(events, CallPricing.Default);
        Assert.Equal("+*******4321", artifact.From);
        Assert.Null(artifact.To);

        var lines = logs.Lines.Select(l => l.Text).ToList();
        Assert.Contains(lines, l => l.Contains("+*******4321", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("***@example.com", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("7654321", StringComparison.Ordinal) || l.Contains("bob.private", StringComparison.Ordinal)
            || l.Contains("0002222", StringComparison.Ordinal));
    }
}
