using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Network;
using Switchboard.Storage.Sqlite;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Webhooks;

/// <summary>Two dispatchers (as on two nodes) on one database: the lease means no delivery is sent by both.</summary>
public class TwoDispatcherTests
{
    [Fact]
    public async Task TwoDispatchers_OneDatabase_EachDeliverySentOnceAndNeverConcurrently()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchboard-tests", "dispatchers-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "switchboard.db");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = async (_, _) =>
        {
            await Task.Delay(50);
            return 200;
        };
        try
        {
            var storeA = new SqliteStore(path);
            var storeB = new SqliteStore(path);
            await storeA.MigrateAsync(CancellationToken.None);
            var team = new Team(Guid.NewGuid(), "dispatch", DateTimeOffset.UtcNow);
            await storeA.CreateTeamAsync(team, CancellationToken.None);
            var secret = WebhookSecret.Generate();
            await storeA.CreateWebhookSubscriptionAsync(new WebhookSubscription
            {
                Id = Guid.NewGuid(), TeamId = team.Id, Url = receiver.Url, EventTypes = [WebhookEventTypes.HandoffHot], Secret = secret, CreatedAt = DateTimeOffset.UtcNow,
            }, CancellationToken.None);

            var options = new WebhookOptions { PollIntervalSeconds = 0.05, MaxConcurrency = 3, LeaseSeconds = 30, TimeoutSeconds = 5 };
            var loopback = new OutboundPolicy([System.Net.IPNetwork.Parse("127.0.0.0/8")]);
            using var a = new WebhookDispatcher(storeA, options, TimeProvider.System, NullLogger<WebhookDispatcher>.Instance, loopback);
            using var b = new WebhookDispatcher(storeB, options, TimeProvider.System, NullLogger<WebhookDispatcher>.Instance, loopback);
            using var stop = new CancellationTokenSource();
            var running = new[] { a.RunAsync(stop.Token), b.RunAsync(stop.Token) };

            // Enqueued through both stores, so both dispatchers are woken and race for the same rows.
            for (var i = 0; i < 24; i++)
            {
                var store = i % 2 == 0 ? storeA : storeB;
                var at = DateTimeOffset.UtcNow;
                var n = i;
                var body = WebhookPayloads.Envelope(WebhookEventTypes.HandoffHot, at, w => w.WriteNumber("n", n));
                await store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.HandoffHot, team.Id, null, body), at, CancellationToken.None);
            }

            var received = await receiver.WaitForAsync(r => r.Count >= 24, TimeSpan.FromSeconds(20));
            await Task.Delay(300);
            await stop.CancelAsync();
            await Task.WhenAll(running);

            Assert.Empty(receiver.Overlaps);
            Assert.Equal(24, receiver.Received.Count);
            Assert.Equal(24, receiver.Received.Select(r => r.Id).Distinct().Count());
            Assert.All(receiver.Received, r => Assert.True(r.SignatureIsValid(secret)));
            var page = await storeA.ListWebhookDeliveriesAsync(team.Id, WebhookDeliveryStatus.Delivered, 0, 100, CancellationToken.None);
            Assert.Equal(24, page.Total);
            Assert.All(page.Items, d => Assert.Equal(1, d.Attempts));
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
