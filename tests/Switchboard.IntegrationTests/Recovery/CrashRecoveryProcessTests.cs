using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Drain;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using Switchboard.Storage.Sqlite;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Recovery;

/// <summary>
/// Crash and restart on a real gateway process: live calls (a Twilio media stream and a browser session) when the process is
/// killed with SIGKILL; the restart on the same database closes each <c>node_lost</c> before it serves, with its artifact and
/// exactly one <c>call.ended</c> delivered to a real receiver; a second restart adds nothing.
/// </summary>
public class CrashRecoveryProcessTests
{
    private const string NodeId = "crash-test-node";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Switchboard__Node__Id"] = NodeId,
        ["Switchboard__Tools__AllowPrivateNetworks"] = "true",
        ["Switchboard__Webhooks__PollIntervalSeconds"] = "0.2",
        ["Logging__LogLevel__Switchboard.Calls"] = "Information",
    };

    [Fact]
    public async Task Kill9_LiveCalls_RestartClosesEachNodeLostWithOneArtifactAndOneCallEndedAndASecondRestartAddsNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var first = await GatewayProcess.StartAsync(Settings);
        var store = new SqliteStore(first.DatabasePath);
        var teamId = Guid.Parse((await store.GetSettingAsync("default_team_id", CancellationToken.None))!);
        await store.CreateWebhookSubscriptionAsync(new WebhookSubscription
        {
            Id = Guid.NewGuid(),
            TeamId = teamId,
            Url = receiver.Url,
            EventTypes = [WebhookEventTypes.CallEnded, WebhookEventTypes.CallArtifact],
            Secret = WebhookSecret.Generate(),
            CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        await using var phone = await LiveTwilioCall.StartAsync(first.WebSocketUrl("/twilio"), clock);
        await using var browser = await LiveSession.StartAsync(await CreateDemoSessionAsync(http, first), clock);
        // Both calls are journalled as started (and owned by this node) before the process is killed.
        var open = await WaitAsync(() => store.ListOpenCallsAsync(NodeId, CancellationToken.None), ids => ids.Count == 2, first);

        await first.SignalAsync("KILL");
        Assert.NotEqual(0, await first.WaitForExitAsync(Generous));
        Assert.Equal(open, await store.ListOpenCallsAsync(NodeId, CancellationToken.None));

        // The restart closes them before it answers its health check: nothing of theirs is live on it.
        await using (var second = await GatewayProcess.StartAsync(Settings, first.DataDir))
        {
            Assert.Empty(await store.ListOpenCallsAsync(NodeId, CancellationToken.None));
            foreach (var id in open)
            {
                var call = await store.GetCallAsync(null, id, CancellationToken.None);
                Assert.Equal(CallEndReason.NodeLost, call!.EndReason);
                Assert.NotNull(call.DurationMs);
            }

            Assert.Equal(["twilio", "websocket"], (await Task.WhenAll(open.Select(id => store.GetCallAsync(null, id, CancellationToken.None))))
                .Select(c => c!.Channel).Order(StringComparer.Ordinal));
            using (var health = await http.GetAsync(second.BaseUrl + "/healthz"))
            {
                Assert.Equal(0, JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("activeCalls").GetInt32());
            }

            var received = await receiver.WaitForAsync(r => r.Count(w => w.Type == WebhookEventTypes.CallEnded) >= 2
                && r.Count(w => w.Type == WebhookEventTypes.CallArtifact) >= 2, Generous);
            foreach (var id in open)
            {
                var ended = Assert.Single(received, w => w.Type == WebhookEventTypes.CallEnded && CallIdOf(w) == id);
                Assert.Equal(CallEndReason.NodeLost, ended.Json.GetProperty("data").GetProperty("reason").GetString());
                var artifact = Assert.Single(received, w => w.Type == WebhookEventTypes.CallArtifact && CallIdOf(w) == id);
                Assert.Equal(CallEndReason.NodeLost, artifact.Json.GetProperty("data").GetProperty("endReason").GetString());
            }

            await second.SignalAsync("KILL");
            await second.WaitForExitAsync(Generous);
        }

        var before = receiver.Received.Count;
        var deliveries = (await store.ListWebhookDeliveriesAsync(teamId, null, 0, 100, CancellationToken.None)).Total;
        Assert.Equal(4, deliveries);

        await using var third = await GatewayProcess.StartAsync(Settings, first.DataDir);
        // Its dispatcher polls five times a second: give it time to send anything that might have been enqueued.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(deliveries, (await store.ListWebhookDeliveriesAsync(teamId, null, 0, 100, CancellationToken.None)).Total);
        Assert.Equal(before, receiver.Received.Count);
        Assert.DoesNotContain("closed node_lost", third.Output, StringComparison.Ordinal);
        foreach (var id in open)
        {
            Assert.Single(await store.ReadEventsAsync(id, CancellationToken.None), e => e.Type == CallEventType.CallEnded);
        }
    }

    private static string? CallIdOf(ReceivedWebhook webhook) => webhook.Json.GetProperty("data").GetProperty("callId").GetString();

    private static async Task<string> CreateDemoSessionAsync(HttpClient http, GatewayProcess gateway)
    {
        using var response = await http.PostAsync(gateway.BaseUrl + "/demo/sessions", new StringContent("""{"mode":"audio_playback"}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("wsUrl").GetString()!;
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, GatewayProcess gateway)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > Generous)
            {
                throw new TimeoutException($"gave up waiting; last value {value}:{Environment.NewLine}{gateway.Output}");
            }

            await Task.Delay(100);
        }
    }
}
