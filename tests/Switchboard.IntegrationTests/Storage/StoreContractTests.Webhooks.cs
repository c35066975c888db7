using System.Text.Json;
using Switchboard.Journal;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>The webhook part of the store contract: subscriptions, the outbox written with call events, leases, retries.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task WebhookSubscription_CreateGetListDelete_OnlyForItsTeam()
    {
        var team = await NewTeamAsync("hooks");
        var other = await NewTeamAsync("others");
        var endpoint = Guid.NewGuid();
        var first = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallStarted, WebhookEventTypes.CallEnded], T0);
        var second = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallArtifact], T0.AddSeconds(1), endpoint);

        Assert.Equal(first, await Store.GetWebhookSubscriptionAsync(team.Id, first.Id, None), SubscriptionComparer.Instance);
        Assert.Equal(endpoint, (await Store.GetWebhookSubscriptionAsync(team.Id, second.Id, None))!.EndpointId);
        Assert.Null(await Store.GetWebhookSubscriptionAsync(other.Id, first.Id, None));
        Assert.Equal([first.Id, second.Id], (await Store.ListWebhookSubscriptionsAsync(team.Id, None)).Select(s => s.Id));
        Assert.Empty(await Store.ListWebhookSubscriptionsAsync(other.Id, None));

        Assert.False(await Store.DeleteWebhookSubscriptionAsync(other.Id, first.Id, T0, None));
        Assert.True(await Store.DeleteWebhookSubscriptionAsync(team.Id, first.Id, T0, None));
        Assert.False(await Store.DeleteWebhookSubscriptionAsync(team.Id, first.Id, T0, None));
        Assert.Null(await Store.GetWebhookSubscriptionAsync(team.Id, first.Id, None));
        Assert.Equal([second.Id], (await Store.ListWebhookSubscriptionsAsync(team.Id, None)).Select(s => s.Id));
    }

    [Fact]
    public async Task AppendEvents_CallStartedAndEnded_EnqueueOneDeliveryPerMatchingSubscription()
    {
        var team = await NewTeamAsync("outbox");
        var other = await NewTeamAsync("elsewhere");
        var endpoint = Guid.NewGuid();
        var all = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallStarted, WebhookEventTypes.CallEnded], T0);
        var mine = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallEnded], T0, endpoint);
        await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallStarted, WebhookEventTypes.CallEnded], T0, Guid.NewGuid());
        var artifacts = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallArtifact], T0);
        await NewSubscriptionAsync(other.Id, [WebhookEventTypes.CallStarted, WebhookEventTypes.CallEnded], T0);
        var deleted = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallEnded], T0);
        await Store.DeleteWebhookSubscriptionAsync(team.Id, deleted.Id, T0, None);

        var started = Started("call-w", T0, team.Id, endpoint);
        await Store.AppendEventsAsync([started, Turn("call-w", 1, CallEventType.CallerTurn, "hi")], None);
        var ended = Ended("call-w", 2, T0.AddMilliseconds(61_234)) with { Data = new Dictionary<string, string> { ["duration_ms"] = "61234" } };
        await Store.AppendEventsAsync([ended], None);
        // A journal retry of batches that were in fact committed enqueues nothing twice.
        await Store.AppendEventsAsync([started, ended], None);

        var deliveries = (await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 100, None)).Items;
        Assert.Equal(4, deliveries.Count);
        Assert.Empty((await Store.ListWebhookDeliveriesAsync(other.Id, null, 0, 100, None)).Items);
        Assert.Equal(
            [(all.Id, WebhookEventTypes.CallEnded), (all.Id, WebhookEventTypes.CallStarted), (mine.Id, WebhookEventTypes.CallEnded), (artifacts.Id, WebhookEventTypes.CallArtifact)],
            deliveries.Select(d => (d.SubscriptionId, d.EventType)).OrderBy(x => x.SubscriptionId == all.Id ? 0 : x.SubscriptionId == mine.Id ? 1 : 2).ThenBy(x => x.EventType, StringComparer.Ordinal).ToArray());
        Assert.All(deliveries, d =>
        {
            Assert.Matches("^msg_[0-9a-f]{32}$", d.Id);
            Assert.Equal((WebhookDeliveryStatus.Pending, 0), (d.Status, d.Attempts));
            Assert.Equal(d.CreatedAt, d.NextAttemptAt);
        });
        Assert.Equal(4, deliveries.Select(d => d.Id).Distinct().Count());

        var endedBody = deliveries.First(d => d.EventType == WebhookEventTypes.CallEnded).Payload;
        using var doc = JsonDocument.Parse(endedBody);
        var root = doc.RootElement;
        Assert.Equal(["type", "timestamp", "data"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("call.ended", root.GetProperty("type").GetString());
        Assert.Equal(WebhookPayloads.Time(T0.AddMilliseconds(61_234)), root.GetProperty("timestamp").GetString());
        var data = root.GetProperty("data");
        Assert.Equal(
            ["callId", "teamId", "endpointId", "endpoint", "carrier", "carrierCallId", "sessionId", "from", "to", "metadata", "startedAt", "endedAt", "reason", "detail", "durationMs"],
            data.EnumerateObject().Select(p => p.Name));
        Assert.Equal("call-w", data.GetProperty("callId").GetString());
        Assert.Equal(team.Id.ToString("D"), data.GetProperty("teamId").GetString());
        Assert.Equal(endpoint.ToString("D"), data.GetProperty("endpointId").GetString());
        Assert.Equal("twilio", data.GetProperty("carrier").GetString());
        Assert.Equal("CA-call-w", data.GetProperty("carrierCallId").GetString());
        Assert.Equal(WebhookPayloads.Time(T0), data.GetProperty("startedAt").GetString());
        Assert.Equal(CallEndReason.CallerHangup, data.GetProperty("reason").GetString());
        Assert.Equal(61_234, data.GetProperty("durationMs").GetInt64());

        var startedBody = deliveries.First(d => d.EventType == WebhookEventTypes.CallStarted).Payload;
        Assert.Equal(WebhookPayloads.CallStarted(started), startedBody);
    }

    [Fact]
    public async Task EnqueueWebhookEvent_LaterEventTypes_GoToTheirSubscribersOnly()
    {
        var team = await NewTeamAsync("artifacts");
        var endpoint = Guid.NewGuid();
        var artifact = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallArtifact, WebhookEventTypes.HandoffHot], T0, endpoint);
        await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallEnded], T0);

        using var data = JsonDocument.Parse("""{"callId":"call-a","summary":"ordered \u00e9clairs"}""");
        var body = WebhookPayloads.Envelope(WebhookEventTypes.CallArtifact, T0, data.RootElement);
        Assert.Equal(1, await Store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.CallArtifact, team.Id, endpoint, body), T0, None));
        Assert.Equal(0, await Store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.CallArtifact, team.Id, Guid.NewGuid(), body), T0, None));
        Assert.Equal(0, await Store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.ToolFailed, team.Id, endpoint, body), T0, None));

        var delivery = Assert.Single((await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 10, None)).Items);
        Assert.Equal((artifact.Id, WebhookEventTypes.CallArtifact, body), (delivery.SubscriptionId, delivery.EventType, delivery.Payload));
    }

    [Fact]
    public async Task ClaimWebhookDeliveries_LeaseCompleteAndRetrySchedule_FollowTheRules()
    {
        var team = await NewTeamAsync("leases");
        var subscription = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.ToolFailed], T0);
        await EnqueueAsync(team.Id, T0);
        Assert.Equal(T0, await Store.NextWebhookDueAtAsync(None));
        Assert.Empty(await Store.ClaimWebhookDeliveriesAsync("early", T0.AddMilliseconds(-1), T0.AddSeconds(60), 10, None));

        var claimed = Assert.Single(await Store.ClaimWebhookDeliveriesAsync("a", T0, T0.AddSeconds(60), 10, None));
        Assert.Equal((1, subscription.Url, subscription.Secret, "a"), (claimed.Attempt, claimed.Url, claimed.Secret, claimed.LeaseToken));
        Assert.Empty(await Store.ClaimWebhookDeliveriesAsync("b", T0.AddSeconds(59), T0.AddSeconds(120), 10, None));
        Assert.Equal(T0.AddSeconds(60), await Store.NextWebhookDueAtAsync(None));

        // The lease ran out: another node takes it over, and the first node's late outcome is refused.
        var takeover = Assert.Single(await Store.ClaimWebhookDeliveriesAsync("b", T0.AddSeconds(60), T0.AddSeconds(120), 10, None));
        Assert.Equal((claimed.Id, 2), (takeover.Id, takeover.Attempt));
        Assert.False(await Store.CompleteWebhookDeliveryAsync(claimed.Id, "a", true, T0.AddSeconds(61), null, 200, null, None));
        Assert.True(await Store.CompleteWebhookDeliveryAsync(claimed.Id, "b", false, T0.AddSeconds(61), T0.AddSeconds(91), 503, new string('x', 2000), None));

        var pending = (await Store.GetWebhookDeliveryAsync(team.Id, claimed.Id, None))!;
        Assert.Equal((WebhookDeliveryStatus.Pending, 2, T0.AddSeconds(91), (int?)503), (pending.Status, pending.Attempts, pending.NextAttemptAt, pending.LastStatus));
        Assert.True(pending.LastError!.Length <= 501);
        Assert.Empty(await Store.ClaimWebhookDeliveriesAsync("c", T0.AddSeconds(90), T0.AddSeconds(150), 10, None));

        var third = Assert.Single(await Store.ClaimWebhookDeliveriesAsync("c", T0.AddSeconds(91), T0.AddSeconds(150), 10, None));
        Assert.True(await Store.CompleteWebhookDeliveryAsync(third.Id, "c", true, T0.AddSeconds(92), null, 204, null, None));
        var delivered = (await Store.GetWebhookDeliveryAsync(null, claimed.Id, None))!;
        Assert.Equal((WebhookDeliveryStatus.Delivered, 3, T0.AddSeconds(92)), (delivered.Status, delivered.Attempts, delivered.DeliveredAt));
        Assert.Null(await Store.NextWebhookDueAtAsync(None));
        Assert.Equal(DeliveryRetryResult.AlreadyDelivered, await Store.RetryWebhookDeliveryAsync(team.Id, claimed.Id, T0.AddSeconds(100), None));
    }

    [Fact]
    public async Task RetryWebhookDelivery_FailedOrPending_IsDueNow_OtherTeamOrDeletedIsRefused()
    {
        var team = await NewTeamAsync("retries");
        var other = await NewTeamAsync("strangers");
        var subscription = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.ToolFailed], T0);
        await EnqueueAsync(team.Id, T0);
        var claimed = Assert.Single(await Store.ClaimWebhookDeliveriesAsync("a", T0, T0.AddSeconds(60), 10, None));
        await Store.CompleteWebhookDeliveryAsync(claimed.Id, "a", false, T0.AddSeconds(1), null, null, "timed out after 10 s", None);
        Assert.Equal(WebhookDeliveryStatus.Failed, (await Store.GetWebhookDeliveryAsync(team.Id, claimed.Id, None))!.Status);
        Assert.Single((await Store.ListWebhookDeliveriesAsync(team.Id, WebhookDeliveryStatus.Failed, 0, 10, None)).Items);
        Assert.Empty((await Store.ListWebhookDeliveriesAsync(team.Id, WebhookDeliveryStatus.Pending, 0, 10, None)).Items);

        Assert.Equal(DeliveryRetryResult.NotFound, await Store.RetryWebhookDeliveryAsync(other.Id, claimed.Id, T0.AddSeconds(5), None));
        Assert.Equal(DeliveryRetryResult.NotFound, await Store.RetryWebhookDeliveryAsync(team.Id, "msg_unknown", T0.AddSeconds(5), None));
        Assert.Null(await Store.GetWebhookDeliveryAsync(other.Id, claimed.Id, None));
        Assert.Equal(DeliveryRetryResult.Scheduled, await Store.RetryWebhookDeliveryAsync(team.Id, claimed.Id, T0.AddSeconds(5), None));
        var retried = (await Store.GetWebhookDeliveryAsync(team.Id, claimed.Id, None))!;
        Assert.Equal((WebhookDeliveryStatus.Pending, T0.AddSeconds(5), 1), (retried.Status, retried.NextAttemptAt, retried.Attempts));
        Assert.Equal(2, Assert.Single(await Store.ClaimWebhookDeliveriesAsync("b", T0.AddSeconds(5), T0.AddSeconds(60), 10, None)).Attempt);
        await Store.ReleaseWebhookLeaseAsync(claimed.Id, "b", None);

        // Deleting the subscription fails what is pending and refuses retries.
        Assert.True(await Store.DeleteWebhookSubscriptionAsync(team.Id, subscription.Id, T0.AddSeconds(6), None));
        var afterDelete = (await Store.GetWebhookDeliveryAsync(team.Id, claimed.Id, None))!;
        Assert.Equal((WebhookDeliveryStatus.Failed, "subscription deleted"), (afterDelete.Status, afterDelete.LastError));
        Assert.Equal(DeliveryRetryResult.SubscriptionDeleted, await Store.RetryWebhookDeliveryAsync(team.Id, claimed.Id, T0.AddSeconds(7), None));
        Assert.Empty(await Store.ClaimWebhookDeliveriesAsync("c", T0.AddSeconds(8), T0.AddSeconds(60), 10, None));
    }

    [Fact]
    public async Task ClaimWebhookDeliveries_TwoNodesAtOnce_NeverGetTheSameDelivery()
    {
        var team = await NewTeamAsync("race");
        await NewSubscriptionAsync(team.Id, [WebhookEventTypes.ToolFailed], T0);
        for (var i = 0; i < 30; i++)
        {
            await EnqueueAsync(team.Id, T0.AddMilliseconds(i));
        }

        var nodes = new[] { Store, Open(_database), Open(_database) };
        var claims = await Task.WhenAll(nodes.Select((node, n) => Task.Run(async () =>
        {
            var mine = new List<string>();
            for (var round = 0; round < 20; round++)
            {
                mine.AddRange((await node.ClaimWebhookDeliveriesAsync($"n{n}-{round}", T0.AddSeconds(1), T0.AddSeconds(60), 4, None)).Select(c => c.Id));
            }

            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(30, all.Count);
        Assert.Equal(30, all.Distinct().Count());
        Assert.All((await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 100, None)).Items, d => Assert.Equal(1, d.Attempts));
    }

    [Fact]
    public async Task ListWebhookDeliveries_Pages_NewestFirstWithTheTotal()
    {
        var team = await NewTeamAsync("pages");
        await NewSubscriptionAsync(team.Id, [WebhookEventTypes.ToolFailed], T0);
        for (var i = 0; i < 5; i++)
        {
            await EnqueueAsync(team.Id, T0.AddSeconds(i));
        }

        var page = await Store.ListWebhookDeliveriesAsync(team.Id, WebhookDeliveryStatus.Pending, 2, 2, None);
        Assert.Equal(5, page.Total);
        Assert.Equal([T0.AddSeconds(2), T0.AddSeconds(1)], page.Items.Select(d => d.CreatedAt));
    }

    private async Task<WebhookSubscription> NewSubscriptionAsync(Guid teamId, IReadOnlyList<string> types, DateTimeOffset at, Guid? endpointId = null)
    {
        var subscription = new WebhookSubscription
        {
            Id = Guid.NewGuid(),
            TeamId = teamId,
            EndpointId = endpointId,
            Url = "https://receiver.example/hooks?t=" + Guid.NewGuid().ToString("N")[..6],
            EventTypes = types,
            Secret = WebhookSecret.Generate(),
            CreatedAt = at,
        };
        await Store.CreateWebhookSubscriptionAsync(subscription, None);
        return subscription;
    }

    private Task<int> EnqueueAsync(Guid teamId, DateTimeOffset at) =>
        Store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.ToolFailed, teamId, null, WebhookPayloads.Envelope(WebhookEventTypes.ToolFailed, at, _ => { })), at, None);

    /// <summary>Subscriptions compare by value, event types by content.</summary>
    private sealed class SubscriptionComparer : IEqualityComparer<WebhookSubscription?>
    {
        public static readonly SubscriptionComparer Instance = new();

        public bool Equals(WebhookSubscription? x, WebhookSubscription? y) =>
            x is not null && y is not null && x with { EventTypes = [] } == y with { EventTypes = [] } && x.EventTypes.SequenceEqual(y.EventTypes);

        public int GetHashCode(WebhookSubscription? obj) => obj?.Id.GetHashCode() ?? 0;
    }

    [Fact]
    public async Task AppendEvents_CallEnded_EnqueuesTheArtifactOfEveryStoredEvent_AndHandoffsAndFailedToolsAtOnce()
    {
        var team = await NewTeamAsync("artifacts");
        var endpoint = Guid.NewGuid();
        var sub = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallArtifact, WebhookEventTypes.HandoffHot, WebhookEventTypes.ToolFailed], T0);
        var started = Started("call-a", T0, team.Id, endpoint);
        static CallEvent Tool(long seq, string outcome) => new()
        {
            CallId = "call-a", Sequence = seq, At = T0.AddSeconds(seq), Type = CallEventType.ToolCall, Text = "lookup", Reason = outcome, Detail = """{"x":1}""",
            Data = new Dictionary<string, string> { ["call_id"] = "fc_" + seq, ["arguments"] = "{}", ["kind"] = "tool" },
        };
        var handoff = new CallEvent
        {
            CallId = "call-a", Sequence = 4, At = T0.AddSeconds(4), Type = CallEventType.HandoffHot, Text = "qualified lead",
            Data = new Dictionary<string, string> { ["call_id"] = "fc_4", ["arguments"] = """{"reason":"qualified lead"}""" },
        };

        await Store.AppendEventsAsync([started, Turn("call-a", 1, CallEventType.CallerTurn, "hi"), Tool(2, "ok"), Tool(3, "tool_timeout"), handoff], None);
        var midCall = (await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 100, None)).Items;
        var ended = Ended("call-a", 5, T0.AddSeconds(5));
        await Store.AppendEventsAsync([Turn("call-a", 6, CallEventType.AgentTurn, "too late? no: same batch as the end"), ended], None);
        await Store.AppendEventsAsync([started, ended], None);

        Assert.Equal([WebhookEventTypes.HandoffHot, WebhookEventTypes.ToolFailed], midCall.Select(d => d.EventType).Order(StringComparer.Ordinal));
        var deliveries = (await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 100, None)).Items;
        Assert.Equal(3, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(sub.Id, d.SubscriptionId));
        var failed = JsonDocument.Parse(deliveries.Single(d => d.EventType == WebhookEventTypes.ToolFailed).Payload).RootElement.GetProperty("data");
        Assert.Equal(("fc_3", "tool_timeout"), (failed.GetProperty("toolCallId").GetString(), failed.GetProperty("outcome").GetString()));
        var artifact = JsonDocument.Parse(deliveries.Single(d => d.EventType == WebhookEventTypes.CallArtifact).Payload).RootElement;
        Assert.Equal(WebhookPayloads.Time(T0.AddSeconds(5)), artifact.GetProperty("timestamp").GetString());
        var data = artifact.GetProperty("data");
        Assert.True(data.GetProperty("final").GetBoolean());
        Assert.Equal(endpoint.ToString("D"), data.GetProperty("endpoint").GetProperty("id").GetString());
        Assert.Equal(["hi", "too late? no: same batch as the end"], data.GetProperty("transcript").EnumerateArray().Select(t => t.GetProperty("text").GetString()));
        Assert.Equal(2, data.GetProperty("toolCalls").GetArrayLength());
        Assert.Equal("qualified lead", data.GetProperty("hotHandoffs")[0].GetProperty("reason").GetString());
        Assert.Equal("+*******0000", data.GetProperty("from").GetString());
    }
}
