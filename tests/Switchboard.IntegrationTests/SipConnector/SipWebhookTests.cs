using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;
using Switchboard.Server;
using Switchboard.Testing.Realtime;
using Switchboard.Testing.Sip;

namespace Switchboard.IntegrationTests.SipConnector;

/// <summary>
/// The webhook's guard and admission: signatures (bad, stale, wrong secret, missing headers) refuse before anything
/// happens; redeliveries are acknowledged once and never accepted twice (also after a restart); other event types are
/// ignored; refusals are SIP rejects (486 for limits, 603 for the endpoint) journalled as refused calls; the Azure flavour;
/// the insecure local mode and its loopback guard.
/// </summary>
public class SipWebhookTests
{
    [Theory]
    [InlineData("wrong-secret", 0, 401)]
    [InlineData(SipGateway.Secret, -400, 401)]
    [InlineData(SipGateway.Secret, 400, 401)]
    public async Task BadSignature_StaleOrFutureTimestamp_WrongSecret_RefusedAndNothingHappens(string secret, int skewSeconds, int expected)
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);

        var status = await SipGateway.PostCallAsync(gateway, "rtc_bad", secret: secret, timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() + skewSeconds);

        Assert.Equal(expected, status);
        await Task.Delay(300);
        Assert.Empty(fake.Calls);
        Assert.Empty(await gateway.AllCallsAsync());
    }

    [Fact]
    public async Task TamperedBody_MissingHeaders_NoSecretConfigured_Refused()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        using var http = new HttpClient();

        // Signed over one body, sent with another.
        using var tampered = FakeSipConnector.SignedWebhook(gateway.BaseUrl + "/openai/webhook", SipGateway.Secret, "wh_t", FakeSipConnector.IncomingCall("rtc_a"));
        tampered.Content = new ByteArrayContent(FakeSipConnector.IncomingCall("rtc_b"));
        Assert.Equal(401, (int)(await http.SendAsync(tampered)).StatusCode);

        // No Standard Webhooks headers at all.
        using var unsigned = new ByteArrayContent(FakeSipConnector.IncomingCall("rtc_c"));
        Assert.Equal(400, (int)(await http.PostAsync(gateway.BaseUrl + "/openai/webhook", unsigned)).StatusCode);

        // Several signatures (a rotation): one matching entry is enough; header names in Title-Case (Azure's docs) work too.
        var body = FakeSipConnector.IncomingCall("rtc_rotated");
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var rotated = new HttpRequestMessage(HttpMethod.Post, gateway.BaseUrl + "/openai/webhook") { Content = new ByteArrayContent(body) };
        rotated.Headers.TryAddWithoutValidation("Webhook-ID", "wh_rot");
        rotated.Headers.TryAddWithoutValidation("Webhook-Timestamp", at.ToString(System.Globalization.CultureInfo.InvariantCulture));
        rotated.Headers.TryAddWithoutValidation("Webhook-Signature", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + FakeSipConnector.Sign(SipGateway.Secret, "wh_rot", at, body));
        Assert.Equal(200, (int)(await http.SendAsync(rotated)).StatusCode);
        await fake.WaitForAsync("accept", "rtc_rotated");
        Assert.Single(fake.Calls);

        await using var unconfigured = await SipGateway.StartAsync(fake, new Dictionary<string, string?> { ["Switchboard:Sip:WebhookSecret"] = "" });
        Assert.Equal(401, await SipGateway.PostCallAsync(unconfigured, "rtc_off"));
    }

    [Fact]
    public async Task DuplicateWebhook_AcknowledgedEachTime_AcceptedOnce_AlsoAfterARestart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        var database = new Dictionary<string, string?> { ["Switchboard:Storage:SqlitePath"] = Path.Combine(dataDir, "switchboard.db") };
        try
        {
            await using var fake = await FakeSipConnector.StartAsync();
            await using (var gateway = await SipGateway.StartAsync(fake, database))
            {
                await SipGateway.SetSpecAsync(gateway);
                var statuses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SipGateway.PostCallAsync(gateway, "rtc_dup", webhookId: "wh_dup")));
                Assert.All(statuses, s => Assert.Equal(200, s));
                // The same call announced under another webhook id is the same call.
                Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_dup", webhookId: "wh_other"));
                await fake.WaitForAsync("accept", "rtc_dup");
                await SipGateway.AnswerGreetingAsync(fake);
                (await fake.Sideband.ConnectionAsync()).Abort();
                await gateway.WaitForEndedCallAsync();
            }

            // A redelivery to a restarted gateway (same database) is still known.
            await using (var restarted = await SipGateway.StartAsync(fake, database))
            {
                Assert.Equal(200, await SipGateway.PostCallAsync(restarted, "rtc_dup", webhookId: "wh_dup"));
                await Task.Delay(500);
            }

            Assert.Single(fake.Of("accept"));
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task OtherEventTypes_AcknowledgedAndIgnored()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        var live = Encoding.UTF8.GetBytes("""{"id":"evt_live","object":"event","type":"live.transport.incoming","created_at":1,"data":{"type":"sip","session_id":"rtc_live"}}""");
        var batch = Encoding.UTF8.GetBytes("""{"id":"evt_b","object":"event","type":"batch.completed","created_at":1,"data":{"id":"batch_1"}}""");

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_live", body: live));
        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "batch_1", body: batch));
        Assert.Equal(400, await SipGateway.PostCallAsync(gateway, "rtc_junk", body: "not json"u8.ToArray()));

        await Task.Delay(300);
        Assert.Empty(fake.Calls);
        Assert.Empty(await gateway.AllCallsAsync());
    }

    [Fact]
    public async Task Busy_RejectedWith486_EndpointRejected_603_BothJournalledAsRefused()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        var endpoint = await SipGateway.SetSpecAsync(gateway, s => s with { Limits = s.Limits with { MaxConcurrentCalls = 1 } });

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_first"));
        await fake.WaitForAsync("accept", "rtc_first");
        await SipGateway.AnswerGreetingAsync(fake);

        // The cap is full: 486 Busy Here, and a refused call in the journal.
        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_second"));
        var reject = await fake.WaitForAsync("reject", "rtc_second");
        Assert.Equal(486, (int)reject.Body!["status_code"]!);

        // An endpoint that does not take SIP calls: 603 Decline.
        var twilioOnly = await Sessions.SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Carriers = [Transports.Twilio] });
        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_third", query: "?endpointId=" + twilioOnly.Id.ToString("D")));
        var declined = await fake.WaitForAsync("reject", "rtc_third");
        Assert.Equal(603, (int)declined.Body!["status_code"]!);

        // An unknown endpoint id on the webhook URL: declined too.
        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_fourth", query: "?endpointId=nope"));
        Assert.Equal(603, (int)(await fake.WaitForAsync("reject", "rtc_fourth")).Body!["status_code"]!);

        (await fake.Sideband.ConnectionAsync()).Abort();
        var calls = await SipGateway.WaitForCallsAsync(gateway, 4);
        var refused = calls.Values.Select(e => e.SingleOrDefault(x => x.Type == CallEventType.CallRefused)).OfType<CallEvent>().ToList();
        Assert.Equal(3, refused.Count);
        Assert.Contains(refused, r => r.Reason == "busy" && r.Data![CallEventKeys.EndpointId] == endpoint.Id.ToString("D") && r.Data[CallEventKeys.Carrier] == "sip");
        Assert.Equal(2, refused.Count(r => r.Reason == CallEndReason.EndpointRejected));
        Assert.Single(fake.Of("accept"));
    }

    [Fact]
    public async Task DialledNumber_RoutesToTheEndpointListingIt()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway);
        await Sessions.SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Instructions = "You are the sales line.", PhoneNumbers = ["+15559990000"] }, name: "sales");

        var body = FakeSipConnector.IncomingCall("rtc_sales", to: "<sip:15559990000@sip.api.openai.com;user=phone>");
        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_sales", body: body));

        var accept = await fake.WaitForAsync("accept", "rtc_sales");
        Assert.Equal("You are the sales line.", (string?)accept.Body!["instructions"]);
    }

    [Fact]
    public async Task GatewayStopping_RightAfterTheAccept_HangsTheCallUpAtOnce_AndJournalsTheShutdown()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway);

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_stop"));
        await fake.WaitForAsync("accept", "rtc_stop");
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await gateway.App.StopAsync();

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"the gateway took {stopping.Elapsed.TotalSeconds:0.0} s to stop");
        await fake.WaitForAsync("hangup", "rtc_stop");
        Assert.Empty(fake.Of("reject"));
        var events = (await gateway.AllCallsAsync()).Values.Single();
        Assert.Equal(CallEndReason.GatewayShutdown, events[^1].Reason);
        await gateway.DisposeAsync();
    }

    [Fact]
    public async Task Azure_RestAndSidebandOnTheResource_ApiKeyHeader_DeploymentAsModel_VoiceRetriedInTheOlderField()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        fake.Answer = (action, _, attempt) => action == "accept" && attempt == 1
            ? (400, """{"error":{"message":"Unknown parameter: 'audio.output.voice'.","type":"invalid_request_error","param":"audio.output.voice","code":"unknown_parameter"}}""")
            : null;
        await using var gateway = await SipGateway.StartAsync(fake, azure: true);
        await SipGateway.SetSpecAsync(gateway, s => s with { Voice = "marin" });

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_u1_azure"));

        var first = await fake.WaitForAsync("accept", "rtc_u1_azure");
        var second = await fake.WaitForAsync("accept", "rtc_u1_azure");
        Assert.Equal("azure", first.Flavour);
        Assert.Equal(SipGateway.AzureKey, first.Headers["api-key"]);
        Assert.False(first.Headers.ContainsKey("Authorization"));
        Assert.Equal("acme-realtime", (string?)first.Body!["model"]);
        Assert.Equal("marin", (string?)first.Body["audio"]!["output"]!["voice"]);
        Assert.False(string.IsNullOrEmpty((string?)first.Body["instructions"]));
        Assert.Equal("marin", (string?)second.Body!["voice"]);
        Assert.Null(second.Body["audio"]!["output"]!["voice"]);

        await SipGateway.AnswerGreetingAsync(fake);
        var upgrade = fake.Sideband.Requests.Single(r => r.Headers.ContainsKey("Upgrade"));
        Assert.Equal("/openai/v1/realtime?call_id=rtc_u1_azure", upgrade.PathAndQuery);
        Assert.Equal(SipGateway.AzureKey, upgrade.Headers["api-key"]);

        (await fake.Sideband.ConnectionAsync()).Abort();
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal("azure", events.Single(e => e.Type == CallEventType.CallStarted).Data!["backend"]);
    }

    [Fact]
    public async Task InsecureMode_TakesUnsignedWebhooksOnLoopback_AndRefusesToStartOnOtherAddresses()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake, new Dictionary<string, string?>
        {
            ["Switchboard:Sip:WebhookSecret"] = null,
            ["Switchboard:Sip:InsecureSkipSignature"] = "true",
        });
        await SipGateway.SetSpecAsync(gateway);

        using var http = new HttpClient();
        using var unsigned = new ByteArrayContent(FakeSipConnector.IncomingCall("rtc_local"));
        Assert.Equal(200, (int)(await http.PostAsync(gateway.BaseUrl + "/openai/webhook", unsigned)).StatusCode);
        await fake.WaitForAsync("accept", "rtc_local");

        var error = Assert.Throws<OptionsValidationException>(() => GatewayApp.CreateBuilder(["--urls", "http://0.0.0.0:0"],
            new Dictionary<string, string?> { ["Switchboard:Sip:InsecureSkipSignature"] = "true", ["Switchboard:OpenAI:ApiKey"] = "sk-x" }));
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", error.Message, StringComparison.Ordinal);
    }
}
