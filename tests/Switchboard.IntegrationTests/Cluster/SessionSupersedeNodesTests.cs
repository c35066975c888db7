using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Storage;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Issue 19's "a session superseded across nodes" on the real cluster: three gateway processes on PostgreSQL and redis-server.
/// A demo session opened on node-a and then on node-c: node-a's connection closes 4000, the session's call is now node-c's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SessionSupersedeNodesTests(PostgresServer postgres)
{
    [Fact]
    public async Task SessionOpenedAgainOnAnotherProcess_TheFirstCloses4000_TheCallRunsOnTheNewNode()
    {
        await using var cluster = await ClusterNodes.StartAsync(postgres);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var created = await http.PostAsync(cluster[0].BaseUrl + "/demo/sessions", new StringContent("""{"mode":"text"}""", Encoding.UTF8, "application/json"));
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var wsUrl = new Uri(JsonDocument.Parse(body).RootElement.GetProperty("wsUrl").GetString()!);

        await using var first = await SessionTestClient.ConnectAsync(cluster[0].WebSocketUrl(wsUrl.PathAndQuery));
        await first.WaitForTypeAsync("status", m => m.GetProperty("payload").GetProperty("state").GetString() == "connected");
        await using var second = await SessionTestClient.ConnectAsync(cluster[2].WebSocketUrl(wsUrl.PathAndQuery));
        await second.WaitForTypeAsync("status", m => m.GetProperty("payload").GetProperty("state").GetString() == "connected");

        Assert.True(await first.WaitForCloseAsync(TimeSpan.FromSeconds(20)) == 4000, cluster.Output);
        Assert.Equal("superseded by a newer connection", first.CloseDescription);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await cluster.Store.ListOpenCallsAsync(ClusterNodes.NodeId(0), CancellationToken.None)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "node-a's call stayed open:" + Environment.NewLine + cluster.Output);
            await Task.Delay(100);
        }

        Assert.Single(await cluster.Store.ListOpenCallsAsync(ClusterNodes.NodeId(2), CancellationToken.None));
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, second.State);
    }
}
