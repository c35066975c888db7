using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Drain;
using Switchboard.IntegrationTests.Storage;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// The multi-node fixture itself: three gateway processes on one PostgreSQL database and one redis-server come up healthy,
/// each reporting Redis, and a call on one node is journalled in the shared database as owned by that node.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterNodesTests(PostgresServer postgres)
{
    [Fact]
    public async Task ThreeNodes_ShareTheDatabaseAndRedis_ACallIsJournalledAsOwnedByItsNode()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < cluster.Count; i++)
        {
            using var health = await http.GetAsync(cluster[i].BaseUrl + "/health/ready");
            var body = await health.Content.ReadAsStringAsync();
            Assert.True(health.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("ok", JsonDocument.Parse(body).RootElement.GetProperty("dependencies").GetProperty("redis").GetProperty("state").GetString());
        }

        using var created = await http.PostAsync(cluster[1].BaseUrl + "/demo/sessions", new StringContent("""{"mode":"audio_playback"}""", Encoding.UTF8, "application/json"));
        var session = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, session);
        await using var call = await LiveSession.StartAsync(JsonDocument.Parse(session).RootElement.GetProperty("wsUrl").GetString()!, Stopwatch.StartNew());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<string> open;
        while ((open = await cluster.Store.ListOpenCallsAsync(ClusterNodes.NodeId(1), CancellationToken.None)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the call was not journalled on node-b:" + Environment.NewLine + cluster.Output);
            await Task.Delay(100);
        }

        Assert.Single(open);
        Assert.Empty(await cluster.Store.ListOpenCallsAsync(ClusterNodes.NodeId(0), CancellationToken.None));
        Assert.Equal(cluster.DefaultTeamId, (await cluster.Store.GetCallAsync(null, open[0], CancellationToken.None))!.TeamId);
    }
}
