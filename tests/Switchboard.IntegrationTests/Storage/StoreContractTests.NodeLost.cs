using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>Crash recovery in the store: the calls a node left open, and the conditional close that ends each exactly once.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task ListOpenCalls_OnlyThatNodesCallsThatHaveNotEnded()
    {
        await Store.AppendEventsAsync(
        [
            OnNode(Started("open-a", T0), "node-a"), OnNode(Started("open-a2", T0.AddSeconds(1)), "node-a"),
            OnNode(Started("ended-a", T0), "node-a"), Ended("ended-a", 1, T0.AddSeconds(5)),
            OnNode(Started("open-b", T0), "node-b"), Started("no-node", T0),
        ], None);

        Assert.Equal(["open-a", "open-a2"], await Store.ListOpenCallsAsync("node-a", None));
        Assert.Equal(["open-b"], await Store.ListOpenCallsAsync("node-b", None));
        Assert.Equal("node-a", (await Store.GetCallAsync(null, "open-a", None))!.NodeId);
        Assert.Null((await Store.GetCallAsync(null, "no-node", None))!.NodeId);
    }

    [Fact]
    public async Task Reap_OpenCallWithTurns_ClosesItNodeLostWithItsTurnsArtifactAndCallEndedOnceAndNeverAgain()
    {
        var team = await NewTeamAsync("reap");
        var subscription = await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallEnded, WebhookEventTypes.CallArtifact], T0);
        await Store.AppendEventsAsync(
        [
            OnNode(Started("lost", T0, team.Id), "node-a"),
            Turn("lost", 1, CallEventType.CallerTurn, "Where is my order?"),
            Turn("lost", 2, CallEventType.AgentTurn, "It ships today."),
            OnNode(Started("other-node", T0, team.Id), "node-b"),
        ], None);
        var reaper = new NodeLostReaper(Store, CallPricing.Default, NullLogger<NodeLostReaper>.Instance);

        Assert.Equal(1, await reaper.ReapAsync("node-a", None));
        Assert.Equal(0, await reaper.ReapAsync("node-a", None));
        Assert.Equal(0, await new NodeLostReaper(Open(_database), CallPricing.Default, NullLogger<NodeLostReaper>.Instance).ReapAsync("node-a", None));

        var call = await Store.GetCallAsync(null, "lost", None);
        Assert.Equal(CallEndReason.NodeLost, call!.EndReason);
        Assert.Equal(T0.AddSeconds(2), call.EndedAt);
        Assert.Equal(2000, call.DurationMs);
        Assert.Equal(4, call.EventCount);
        var events = await Store.ReadEventsAsync("lost", None);
        Assert.Equal([CallEventType.CallStarted, CallEventType.CallerTurn, CallEventType.AgentTurn, CallEventType.CallEnded], events.Select(e => e.Type));
        Assert.Equal(NodeLostReaper.Detail, events[^1].Detail);
        Assert.Null((await Store.GetCallAsync(null, "other-node", None))!.EndedAt);

        var deliveries = (await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 10, None)).Items;
        Assert.Equal([WebhookEventTypes.CallArtifact, WebhookEventTypes.CallEnded], deliveries.Select(d => d.EventType).Order(StringComparer.Ordinal));
        Assert.All(deliveries, d => Assert.Equal(subscription.Id, d.SubscriptionId));
        var artifact = deliveries.Single(d => d.EventType == WebhookEventTypes.CallArtifact).Payload;
        Assert.Contains("node_lost", artifact, StringComparison.Ordinal);
        Assert.Contains("It ships today.", artifact, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloseOpenCall_ManyNodesAtOnceWithTheSameId_ExactlyOneClosesIt()
    {
        var team = await NewTeamAsync("race");
        await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallEnded], T0);
        await Store.AppendEventsAsync([OnNode(Started("raced", T0, team.Id), "node-a"), Turn("raced", 1, CallEventType.CallerTurn, "hello")], None);
        var nodes = Enumerable.Range(0, 4).Select(_ => Open(_database)).ToList();
        var events = await Store.ReadEventsAsync("raced", None);

        // Each "node" builds its close at another sequence (as if it read the journal at another moment), so nothing but the
        // conditional update on the call row can keep a second close out.
        var ended = NodeLostReaper.Ended("raced", events, CallPricing.Default);
        var results = await Task.WhenAll(nodes.Select((node, i) => Task.Run(() => node.CloseOpenCallAsync(ended with { Sequence = ended.Sequence + i }, "node-a", None))));

        Assert.Single(results, r => r);
        Assert.Single(await Store.ReadEventsAsync("raced", None), e => e.Type == CallEventType.CallEnded);
        Assert.Equal(1, (await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 10, None)).Total);
    }

    [Fact]
    public async Task OwnersOwnEnd_AfterAnotherNodeClosedTheCallNodeLost_IsDroppedWithItsWebhooks()
    {
        // A partition: the owner lost Redis, another node reaped its call, and the owner (still connected to its caller) ends
        // the call later with its own end at a later sequence. The call ends once: node_lost, one call.ended, one artifact.
        var team = await NewTeamAsync("partition");
        await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallEnded, WebhookEventTypes.CallArtifact], T0);
        await Store.AppendEventsAsync([OnNode(Started("split", T0, team.Id), "node-a"), Turn("split", 1, CallEventType.CallerTurn, "hello")], None);
        var reaper = new NodeLostReaper(Open(_database), CallPricing.Default, NullLogger<NodeLostReaper>.Instance);
        Assert.Equal(1, await reaper.ReapAsync("node-a", None));

        await Store.AppendEventsAsync([Turn("split", 3, CallEventType.AgentTurn, "still here"), Ended("split", 4, T0.AddSeconds(30))], None);
        // A retry of the same batch changes nothing either.
        await Store.AppendEventsAsync([Ended("split", 4, T0.AddSeconds(30))], None);

        var call = await Store.GetCallAsync(null, "split", None);
        Assert.Equal(CallEndReason.NodeLost, call!.EndReason);
        Assert.Single(await Store.ReadEventsAsync("split", None), e => e.Type == CallEventType.CallEnded);
        var deliveries = (await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 10, None)).Items;
        Assert.Equal([WebhookEventTypes.CallArtifact, WebhookEventTypes.CallEnded], deliveries.Select(d => d.EventType).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TwoEndsOfOneCall_InOneBatch_OnlyTheFirstCounts()
    {
        var team = await NewTeamAsync("twice");
        await NewSubscriptionAsync(team.Id, [WebhookEventTypes.CallEnded], T0);
        await Store.AppendEventsAsync([Started("twice", T0, team.Id), Ended("twice", 1, T0.AddSeconds(3)), Ended("twice", 2, T0.AddSeconds(9))], None);

        Assert.Equal(T0.AddSeconds(3), (await Store.GetCallAsync(null, "twice", None))!.EndedAt);
        Assert.Equal(1, (await Store.ListWebhookDeliveriesAsync(team.Id, null, 0, 10, None)).Total);
    }

    [Fact]
    public async Task CloseOpenCall_AnotherNodesCallOrAnEndedOne_ClosesNothing()
    {
        await Store.AppendEventsAsync([OnNode(Started("theirs", T0), "node-b"), OnNode(Started("done", T0), "node-a"), Ended("done", 1, T0.AddSeconds(3))], None);

        Assert.False(await Store.CloseOpenCallAsync(NodeLostReaper.Ended("theirs", await Store.ReadEventsAsync("theirs", None), CallPricing.Default), "node-a", None));
        Assert.False(await Store.CloseOpenCallAsync(NodeLostReaper.Ended("done", await Store.ReadEventsAsync("done", None), CallPricing.Default), "node-a", None));

        Assert.Null((await Store.GetCallAsync(null, "theirs", None))!.EndReason);
        Assert.Equal(CallEndReason.CallerHangup, (await Store.GetCallAsync(null, "done", None))!.EndReason);
        Assert.Single(await Store.ReadEventsAsync("theirs", None));
    }

    private static CallEvent OnNode(CallEvent started, string nodeId) =>
        started with { Data = new Dictionary<string, string>(started.Data!) { [CallEventKeys.NodeId] = nodeId } };
}
