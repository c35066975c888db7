using System.Text;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using static Switchboard.IntegrationTests.Webhooks.WebhookTestKit;

namespace Switchboard.IntegrationTests.Webhooks;

/// <summary>Deliveries from a real gateway to a real receiver: signatures, payloads, retries, timeouts, restarts.</summary>
public class WebhookDeliveryTests
{
    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    [Fact]
    public async Task TextSession_StartedAndEnded_ArriveSignedPromptlyAndAsDocumented()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // A 30 s poll: only the wake-up on commit can deliver within the test's time.
        await using var gateway = await GatewayFixture.StartAsync(Settings(new() { ["Switchboard:Webhooks:PollIntervalSeconds"] = "30" }));
        var manageKey = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        var (_, secret) = await SubscribeAsync(gateway, manageKey, receiver.Url, ["call.started", "call.ended"]);
        var (_, endpointSecret) = await SubscribeAsync(gateway, manageKey, receiver.Url + "?only=endpoint", ["call.ended"], endpoint.Id);

        var created = await SessionApi.CreateSessionAsync(gateway, await SessionApi.CreateKeyAsync(gateway));
        string callId;
        await using (var client = await SessionTestClient.ConnectAsync(created.WsUrl))
        {
            callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;
            var started = await receiver.WaitForAsync(r => r.Any(x => x.Type == "call.started"));
            Assert.Single(started);
            await client.SendTextAsync("hello");
            await client.WaitForTypeAsync("transcript", m => Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean());
            await client.SendAsync("""{"type":"hangup"}""");
            Assert.Equal(1000, await client.WaitForCloseAsync());
        }

        var received = await receiver.WaitForAsync(r => r.Count(x => x.Type == "call.ended") == 2);
        Assert.Equal(3, received.Count);
        var start = received.Single(r => r.Type == "call.started");
        var ends = received.Where(r => r.Type == "call.ended").ToList();
        Assert.True(start.SignatureIsValid(secret));
        Assert.Single(ends, e => e.SignatureIsValid(secret));
        Assert.Single(ends, e => e.SignatureIsValid(endpointSecret));
        Assert.All(received, r =>
        {
            Assert.Equal("application/json", r.ContentType);
            Assert.Matches("^msg_[0-9a-f]{32}$", r.Id);
            Assert.False(r.SignatureIsValid("whsec_" + Convert.ToBase64String(new byte[32])));
        });
        Assert.Equal(3, received.Select(r => r.Id).Distinct().Count());

        var startJson = start.Json;
        Assert.Equal(["type", "timestamp", "data"], startJson.EnumerateObject().Select(p => p.Name));
        var data = startJson.GetProperty("data");
        Assert.Equal(["callId", "teamId", "endpointId", "endpoint", "carrier", "carrierCallId", "sessionId", "from", "to", "metadata", "startedAt"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(callId, data.GetProperty("callId").GetString());
        Assert.Equal(SessionApi.DefaultTeam(gateway).Id.ToString("D"), data.GetProperty("teamId").GetString());
        Assert.Equal(endpoint.Id.ToString("D"), data.GetProperty("endpointId").GetString());
        Assert.Equal("websocket", data.GetProperty("carrier").GetString());
        Assert.Equal(created.SessionId.ToString("D"), data.GetProperty("sessionId").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("from").ValueKind);
        Assert.Equal(data.GetProperty("startedAt").GetString(), startJson.GetProperty("timestamp").GetString());

        var endData = ends[0].Json.GetProperty("data");
        Assert.Equal(CallEndReason.CallerHangup, endData.GetProperty("reason").GetString());
        Assert.True(endData.GetProperty("durationMs").GetInt64() > 0);
        Assert.Equal(data.GetProperty("startedAt").GetString(), endData.GetProperty("startedAt").GetString());
        Assert.Equal(Encoding.UTF8.GetString(ends[0].Body), Encoding.UTF8.GetString(ends[1].Body));

        var deliveries = await WaitForDeliveriesAsync(gateway, manageKey, d => d.Length == 3 && d.All(x => x.GetProperty("status").GetString() == "delivered"));
        Assert.All(deliveries, d => Assert.Equal((1, 200), (d.GetProperty("attempts").GetInt32(), d.GetProperty("lastStatus").GetInt32())));
        Assert.Equal(received.Select(r => r.Id).Order(), deliveries.Select(d => d.GetProperty("id").GetString()!).Order());
    }

    [Fact]
    public async Task Receiver_FailsTwiceThenSucceeds_DeliveredOnAttemptThreeWithTheSameIdAndBody()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, n) => Task.FromResult<int?>(n < 2 ? 500 : 200);
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        var (_, secret) = await SubscribeAsync(gateway, key, receiver.Url, ["tool.failed"]);

        Assert.Equal(1, await EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id));

        var received = await receiver.WaitForAsync(r => r.Count == 3);
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.Single(received.Select(r => Convert.ToBase64String(r.Body)).Distinct());
        Assert.All(received, r => Assert.True(r.SignatureIsValid(secret)));
        Assert.True(received[1].At - received[0].At >= TimeSpan.FromMilliseconds(90), "the retry waited at least half its 0.2 s step");
        var delivery = Assert.Single(await WaitForDeliveriesAsync(gateway, key, d => d.Length == 1 && d[0].GetProperty("status").GetString() == "delivered"));
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(received[0].Id, delivery.GetProperty("id").GetString());
        await Task.Delay(500);
        Assert.Equal(3, receiver.Received.Count);
    }

    [Fact]
    public async Task Receiver_TooSlowOrRedirecting_CountsAsFailedAttempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = async (r, _) =>
        {
            if (r.Json.GetProperty("data").GetProperty("n").GetInt32() == 1)
            {
                return 302;
            }

            await Task.Delay(TimeSpan.FromSeconds(4));
            return 200;
        };
        await using var gateway = await GatewayFixture.StartAsync(Settings(new()
        {
            ["Switchboard:Webhooks:TimeoutSeconds"] = "1",
            ["Switchboard:Webhooks:MaxAttempts"] = "2",
        }));
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        await SubscribeAsync(gateway, key, receiver.Url, ["tool.failed"]);

        await EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id, 0);
        await EnqueueAsync(gateway, SessionApi.DefaultTeam(gateway).Id, 1);

        var deliveries = await WaitForDeliveriesAsync(gateway, key, d => d.Length == 2 && d.All(x => x.GetProperty("status").GetString() == "failed"), TimeSpan.FromSeconds(15));
        Assert.All(deliveries, d => Assert.Equal(2, d.GetProperty("attempts").GetInt32()));
        Assert.Contains(deliveries, d => d.GetProperty("lastError").GetString() == "timed out after 1 s" && d.GetProperty("lastStatus").ValueKind == JsonValueKind.Null);
        Assert.Contains(deliveries, d => d.GetProperty("lastError").GetString()!.Contains("redirect not followed", StringComparison.Ordinal) && d.GetProperty("lastStatus").GetInt32() == 302);
        Assert.Equal(4, receiver.Received.Count);
    }

    [Fact]
    public async Task GatewayStopped_WithDeliveriesPending_ANewGatewayOnTheSameDatabaseDeliversEachOnceUnderItsId()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchboard-tests", "restart-" + Guid.NewGuid().ToString("N"));
        var settings = Settings(new() { ["Switchboard:Storage:SqlitePath"] = Path.Combine(dir, "switchboard.db") });
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult<int?>(null); // down: every connection is dropped
        try
        {
            string secret;
            await using (var first = await GatewayFixture.StartAsync(settings))
            {
                var key = await SessionApi.CreateKeyAsync(first, ApiScopes.ManageEndpoints);
                (_, secret) = await SubscribeAsync(first, key, receiver.Url, ["tool.failed"]);
                for (var i = 0; i < 5; i++)
                {
                    await EnqueueAsync(first, SessionApi.DefaultTeam(first).Id, i);
                }

                await receiver.WaitForAsync(r => r.Select(x => x.Id).Distinct().Count() == 5);
            }

            var attemptsWhileDown = receiver.Received.Count;
            receiver.Respond = (_, _) => Task.FromResult<int?>(200);
            await using var second = await GatewayFixture.StartAsync(settings);
            var key2 = await SessionApi.CreateKeyAsync(second, ApiScopes.ManageEndpoints);
            var deliveries = await WaitForDeliveriesAsync(second, key2, d => d.Length == 5 && d.All(x => x.GetProperty("status").GetString() == "delivered"));

            var received = receiver.Received.ToList();
            Assert.True(received.Count > attemptsWhileDown);
            Assert.Equal(5, received.Select(r => r.Id).Distinct().Count());
            // Every body travelled under one id only, and every id is one the API lists.
            Assert.All(received.GroupBy(r => Convert.ToBase64String(r.Body)), g => Assert.Single(g.Select(r => r.Id).Distinct()));
            Assert.Equal(deliveries.Select(d => d.GetProperty("id").GetString()!).Order(), received.Select(r => r.Id).Distinct().Order());
            Assert.All(received, r => Assert.True(r.SignatureIsValid(secret)));
            // Each was accepted once: after its 200, nothing more for that id.
            var accepted = received.Skip(attemptsWhileDown).ToList();
            Assert.Equal(5, accepted.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
