using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Cluster;
using Switchboard.Configuration;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// The claim that lets one node reap a dead node, on a real redis-server: exclusive, renewable only by its holder, held
/// past its first lease while renewed (a reap that hangs up carrier calls by REST can outlast a lease, and a second node
/// must not start the same reap meanwhile), and free for another node once its holder stops renewing.
/// </summary>
public sealed class ReapClaimTests
{
    private static ClusterRegistry Registry(RedisServer redis, string node)
    {
        // One-second leases (below the 3 s the options validation allows a deployment) keep the test short.
        var options = Options.Create(new SwitchboardOptions
        {
            Node = new NodeOptions { Id = node },
            Redis = new RedisOptions { Configuration = redis.Configuration, LeaseSeconds = 1 },
        });
        return new ClusterRegistry(new RedisConnection(options, NullLogger<RedisConnection>.Instance), options, TimeProvider.System, NullLogger<ClusterRegistry>.Instance);
    }

    [Fact]
    public async Task Claim_IsExclusive_HeldPastItsLeaseWhileRenewed_ThenFreeForAnother()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var b = Registry(redis, "node-b");
        var c = Registry(redis, "node-c");

        Assert.True(await b.TryClaimAsync("node-a"));
        Assert.False(await c.TryClaimAsync("node-a"));
        Assert.False(await c.ExtendClaimAsync("node-a"));

        // Renewed every third of a lease for three leases: the other node never gets it.
        for (var i = 0; i < 9; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.0 / 3));
            Assert.True(await b.ExtendClaimAsync("node-a"), $"renewal {i} failed");
            Assert.False(await c.TryClaimAsync("node-a"), $"node-c took the claim after {i + 1} renewals");
        }

        // Its holder stops (the reap ended, or the node died): the claim lapses within a lease.
        await Task.Delay(TimeSpan.FromSeconds(1.3));
        Assert.True(await c.TryClaimAsync("node-a"));
        Assert.False(await b.ExtendClaimAsync("node-a"));
    }
}
