using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Control;
using Switchboard.IntegrationTests.Drain;
using Switchboard.IntegrationTests.Storage;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// The cluster call registry on three real gateway processes, one PostgreSQL database and one redis-server (docs/cluster.md):
/// a call on node A is listed through node B with its node and hung up through node C (the owner ends it operator_hangup);
/// another team's key sees a 404; and a node killed with live calls has them reaped node_lost by a live node once its lease
/// expires, with one artifact and one call.ended each, its team cap free again.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterRegistryTests(PostgresServer postgres)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    // Short leases: a dead node is reaped within about 3 s of its last renewal.
    private static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal)
    {
        ["Switchboard__Redis__LeaseSeconds"] = "3",
        ["Logging__LogLevel__Switchboard.Server.Cluster"] = "Information",
    };

    private static async Task<string> KeyAsync(ClusterNodes cluster, Guid teamId, ApiScopes scopes)
    {
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
        await cluster.Store.CreateKeyAsync(new ApiKeyRecord
        {
            Id = Guid.NewGuid(),
            TeamId = teamId,
            Name = "test-" + prefix,
            Prefix = prefix,
            Hash = hash,
            Scopes = scopes,
            CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);
        return plaintext;
    }

    private static HttpClient Client(string key)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Add("X-API-Key", key);
        return http;
    }

    private static async Task<string> DemoSessionAsync(GatewayProcess node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PostAsync(node.BaseUrl + "/demo/sessions", new StringContent("""{"mode":"audio_playback"}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("wsUrl").GetString()!;
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, ClusterNodes cluster, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(clock.Elapsed < Generous, $"timed out waiting for {what}:{Environment.NewLine}{cluster.Output}");
            await Task.Delay(100);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> HangUpAsync(HttpClient http, GatewayProcess node, string callId)
    {
        using var response = await http.PostAsync($"{node.BaseUrl}/api/v1/calls/{callId}/hangup",
            new StringContent("""{"reason":"cluster test"}""", Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CallOnNodeA_ListedThroughB_HungUpThroughC_OtherTeamSees404()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres, settings: Settings);
        var key = await KeyAsync(cluster, cluster.DefaultTeamId, ApiScopes.ReadCalls | ApiScopes.ManageCalls);
        var other = new Team(Guid.NewGuid(), "other-" + Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow);
        await cluster.Store.CreateTeamAsync(other, CancellationToken.None);
        var otherKey = await KeyAsync(cluster, other.Id, ApiScopes.ReadCalls | ApiScopes.ManageCalls);

        await using var phone = await LiveTwilioCall.StartAsync(cluster[0].WebSocketUrl("/twilio"), Stopwatch.StartNew());
        var callId = (await WaitAsync(() => cluster.Store.ListOpenCallsAsync(ClusterNodes.NodeId(0), CancellationToken.None), ids => ids.Count == 1, cluster, "the call on node-a"))[0];
        using var http = Client(key);
        using var otherHttp = Client(otherKey);

        // (b) The live list through node B holds node A's call, with its node.
        var item = await WaitAsync(async () =>
        {
            var body = JsonDocument.Parse(await http.GetStringAsync(cluster[1].BaseUrl + "/api/v1/calls?status=live")).RootElement;
            return body.GetProperty("calls").EnumerateArray().Where(i => i.GetProperty("id").GetString() == callId).Select(i => (JsonElement?)i.Clone()).FirstOrDefault();
        }, i => i is not null, cluster, "node A's call in node B's live list");
        Assert.Equal("node-a", item!.Value.GetProperty("node").GetString());
        Assert.Equal("twilio", item.Value.GetProperty("channel").GetString());
        var otherList = JsonDocument.Parse(await otherHttp.GetStringAsync(cluster[1].BaseUrl + "/api/v1/calls?status=live")).RootElement;
        Assert.Empty(otherList.GetProperty("calls").EnumerateArray());

        // Another team's key: a 404 through any node, and the call goes on.
        var (otherStatus, otherBody) = await HangUpAsync(otherHttp, cluster[2], callId);
        Assert.True(otherStatus == HttpStatusCode.NotFound, otherBody);
        Assert.False(phone.Outcome.IsCompleted);

        // (a) Hung up through node C: C answers 202, A ends the call operator_hangup.
        var (status, body) = await HangUpAsync(http, cluster[2], callId);
        Assert.True(status == HttpStatusCode.Accepted, body);
        Assert.Equal("operator_hangup", JsonDocument.Parse(body).RootElement.GetProperty("endReason").GetString());
        var ended = await WaitAsync(() => cluster.Store.GetCallAsync(null, callId, CancellationToken.None), c => c?.EndedAt is not null, cluster, "the call's end");
        Assert.Equal(CallEndReason.OperatorHangup, ended!.EndReason);
        await cluster[2].WaitForOutputAsync("hang-up of call " + callId + " forwarded to node node-a: 202", Generous);
        await cluster[0].WaitForOutputAsync("node node-c asked to hang up call " + callId + ": 202", Generous);
        await phone.Outcome.WaitAsync(Generous);

        // A repeat: the call has ended (409), wherever it is asked; the registry no longer lists it.
        var (again, againBody) = await HangUpAsync(http, cluster[2], callId);
        Assert.True(again == HttpStatusCode.Conflict, againBody);
        await WaitAsync(async () => JsonDocument.Parse(await http.GetStringAsync(cluster[1].BaseUrl + "/api/v1/calls?status=live")).RootElement.GetProperty("calls").GetArrayLength(),
            n => n == 0, cluster, "the live list to empty");
    }

    [Fact]
    public async Task Kill9_NodeWithLiveCalls_ALiveNodeReapsThemNodeLost_ArtifactAndCallEndedOnce_TeamCapFreed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var cluster = await ClusterNodes.StartAsync(postgres, settings: Settings);
        Assert.True(await cluster.Store.SetTeamLimitsAsync(cluster.DefaultTeamId, new TeamLimits { MaxConcurrentCalls = 2 }, CancellationToken.None));
        await cluster.Store.CreateWebhookSubscriptionAsync(new WebhookSubscription
        {
            Id = Guid.NewGuid(),
            TeamId = cluster.DefaultTeamId,
            Url = receiver.Url,
            EventTypes = [WebhookEventTypes.CallEnded, WebhookEventTypes.CallArtifact],
            Secret = WebhookSecret.Generate(),
            CreatedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);

        // Two calls on node A hold the team's cap of 2.
        var clock = Stopwatch.StartNew();
        await using var phone = await LiveTwilioCall.StartAsync(cluster[0].WebSocketUrl("/twilio"), clock);
        await using var browser = await LiveSession.StartAsync(await DemoSessionAsync(cluster[0]), clock);
        var open = await WaitAsync(() => cluster.Store.ListOpenCallsAsync(ClusterNodes.NodeId(0), CancellationToken.None), ids => ids.Count == 2, cluster, "both calls on node-a");
        using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Configuration);
        await WaitAsync(async () => (await redis.GetDatabase().HashGetAllAsync("switchboard:{cluster}:calls")).Length, n => n == 2, cluster, "both calls' registry entries");

        await cluster.KillAsync(0);

        // A live node reaps node A once its lease has expired: both calls closed node_lost, by B or C.
        var reaped = Stopwatch.StartNew();
        foreach (var id in open)
        {
            var call = await WaitAsync(() => cluster.Store.GetCallAsync(null, id, CancellationToken.None), c => c?.EndedAt is not null, cluster, "call " + id + " reaped");
            Assert.Equal(CallEndReason.NodeLost, call!.EndReason);
        }

        Assert.True(reaped.Elapsed < TimeSpan.FromSeconds(3 + 20), $"reaped after {reaped.Elapsed}");
        // The reaping node logs its count after closing the calls, and its output reaches this process through a pipe: wait
        // for the line rather than read it once (the calls can be seen closed before it arrives).
        var reaper = await WaitAsync(() => Task.FromResult(new[] { 1, 2 }.Where(i => ReapedCount(cluster[i].Output) is not null).ToArray()),
            found => found.Length > 0, cluster, "the reaped log line");
        Assert.Equal(2, ReapedCount(cluster[Assert.Single(reaper)].Output));
        Assert.DoesNotContain("node node-a reaped", cluster[3 - reaper[0]].Output, StringComparison.Ordinal);
        foreach (var id in open)
        {
            var ended = Assert.Single(await cluster.Store.ReadEventsAsync(id, CancellationToken.None), e => e.Type == CallEventType.CallEnded);
            Assert.Contains("another node closed the call", ended.Detail, StringComparison.Ordinal);
        }

        // Artifact and call.ended delivered exactly once each.
        var received = await receiver.WaitForAsync(r => r.Count(w => w.Type == WebhookEventTypes.CallEnded) >= 2 && r.Count(w => w.Type == WebhookEventTypes.CallArtifact) >= 2, Generous);
        await Task.Delay(TimeSpan.FromSeconds(2));
        received = receiver.Received.ToList();
        foreach (var id in open)
        {
            var callEnded = Assert.Single(received, w => w.Type == WebhookEventTypes.CallEnded && CallIdOf(w) == id);
            Assert.Equal(CallEndReason.NodeLost, callEnded.Json.GetProperty("data").GetProperty("reason").GetString());
            Assert.Single(received, w => w.Type == WebhookEventTypes.CallArtifact && CallIdOf(w) == id);
        }

        // Its registry entries are gone, and the team's cap is free again: a new call is admitted on node B.
        Assert.Empty(await redis.GetDatabase().HashGetAllAsync("switchboard:{cluster}:calls"));
        Assert.Null(await redis.GetDatabase().SortedSetScoreAsync("switchboard:{cluster}:nodes", "node-a"));
        await using var next = await LiveSession.StartAsync(await DemoSessionAsync(cluster[1]), clock);
        await using var second = await LiveSession.StartAsync(await DemoSessionAsync(cluster[2]), clock);
        Assert.False(next.Outcome.IsCompleted);
        Assert.False(second.Outcome.IsCompleted);
    }

    private static int? ReapedCount(string output) =>
        System.Text.RegularExpressions.Regex.Match(output, @"node node-a reaped: (\d+) calls closed node_lost") is { Success: true } match
            ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static string? CallIdOf(ReceivedWebhook webhook) => webhook.Json.GetProperty("data").GetProperty("callId").GetString();
}
