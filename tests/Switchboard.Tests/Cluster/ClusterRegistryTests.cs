using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Calls;
using Switchboard.Cluster;
using Switchboard.Configuration;
using Switchboard.Server.Cluster;

namespace Switchboard.Tests.Cluster;

/// <summary>The pure parts of the cluster registry: keys, node facts, messages, the heartbeat's cadence, and a registry without Redis.</summary>
public class ClusterRegistryTests
{
    [Fact]
    public void Keys_ShareOneHashTag_SoOneScriptMayTouchThemAll()
    {
        foreach (var key in new[] { ClusterKeys.Nodes, ClusterKeys.Calls, ClusterKeys.Facts("node-a"), ClusterKeys.NodeCalls("node-a"), ClusterKeys.ReapClaim("node-a") })
        {
            Assert.StartsWith("switchboard:{cluster}:", key, StringComparison.Ordinal);
        }

        Assert.Equal("switchboard:{cluster}:node:node-b", ClusterKeys.Channel("node-b"));
        Assert.NotEqual(ClusterKeys.NodeCalls("a"), ClusterKeys.NodeCalls("b"));
    }

    [Fact]
    public void Node_FromLeaseAndFacts_LiveOnlyBeforeItsExpiry()
    {
        HashEntry[] facts = [new("state", "draining"), new("url", "https://n1.example"), new("started", "2026-12-07T07:00:00.0000000+00:00"), new("calls", "4")];

        var live = ClusterRegistry.Node("node-a", expiresMs: 10_000, nowMs: 9_999, facts);
        var lost = ClusterRegistry.Node("node-a", expiresMs: 10_000, nowMs: 10_000, []);

        Assert.True(live.Live);
        Assert.Equal(ClusterMember.DrainingState, live.State);
        Assert.Equal("https://n1.example", live.Url);
        Assert.Equal(4, live.Calls);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 7, 0, 0, TimeSpan.Zero), live.Started);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(10_000), live.LeaseExpires);
        Assert.False(lost.Live);
        Assert.Null(lost.State);
        Assert.Equal(0, lost.Calls);
    }

    [Fact]
    public void Entry_And_Message_RoundTrip_WithoutNulls()
    {
        var call = new ClusterCall
        {
            CallId = "call_1",
            Node = "node-a",
            TeamId = Guid.NewGuid(),
            Channel = "twilio",
            CarrierCallId = "CA123",
            AccountId = "AC9",
            StartedAt = DateTimeOffset.UnixEpoch,
        };
        var json = JsonSerializer.Serialize(call, ClusterJsonContext.Default.ClusterCall);
        Assert.Equal(call, JsonSerializer.Deserialize(json, ClusterJsonContext.Default.ClusterCall));
        Assert.DoesNotContain("endpointName", json, StringComparison.Ordinal);

        var message = new ClusterMessage { Type = ClusterMessage.HangupType, RequestId = "r1", From = "node-c", CallId = "call_1", TeamId = call.TeamId, Say = "bye" };
        Assert.Equal(message, JsonSerializer.Deserialize(JsonSerializer.Serialize(message, ClusterJsonContext.Default.ClusterMessage), ClusterJsonContext.Default.ClusterMessage));
    }

    [Theory]
    [InlineData(3, 1.0)]
    [InlineData(30, 10.0)]
    public void Heartbeat_RunsEveryThirdOfTheLease_JitteredShorterNeverLonger(int lease, double seconds)
    {
        var period = ClusterHeartbeat.Period(lease);
        Assert.Equal(TimeSpan.FromSeconds(seconds), period);
        Assert.Equal(period, ClusterHeartbeat.Jittered(period, 0));
        Assert.Equal(period * 0.8, ClusterHeartbeat.Jittered(period, 1));
        Assert.InRange(ClusterHeartbeat.Jittered(period, 0.5), period * 0.8, period);
    }

    [Fact]
    public void WithoutRedis_TheCallRegistryIgnoresTheCluster()
    {
        var options = Options.Create(new SwitchboardOptions());
        var cluster = new ClusterRegistry(new RedisConnection(options, NullLogger<RedisConnection>.Instance), options, TimeProvider.System, NullLogger<ClusterRegistry>.Instance);
        var registry = new CallRegistry(cluster);

        registry.Add(new ActiveCall("call_1", "twilio", "CA1", DateTimeOffset.UnixEpoch, _ => Task.CompletedTask));

        Assert.False(cluster.Enabled);
        Assert.Equal(1, registry.Count);
        Assert.Equal(0, cluster.LocalCount);
    }

    [Fact]
    public void WithRedisConfigured_CallsAreEnteredAndRemoved_EvenWhileRedisIsUnreachable()
    {
        var options = Options.Create(new SwitchboardOptions { Node = new NodeOptions { Id = "node-x" }, Redis = new RedisOptions { Configuration = "127.0.0.1:1" } });
        var cluster = new ClusterRegistry(new RedisConnection(options, NullLogger<RedisConnection>.Instance), options, TimeProvider.System, NullLogger<ClusterRegistry>.Instance);
        var registry = new CallRegistry(cluster);

        registry.Add(new ActiveCall("call_1", "twilio", "CA1", DateTimeOffset.UnixEpoch, _ => Task.CompletedTask) { TeamId = Guid.NewGuid() });
        Assert.Equal(1, cluster.LocalCount);
        registry.Remove("call_1");
        Assert.Equal(0, cluster.LocalCount);
    }
}
