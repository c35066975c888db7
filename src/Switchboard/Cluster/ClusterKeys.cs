namespace Switchboard.Cluster;

/// <summary>
/// The Redis names of the cluster registry (docs/cluster.md). The hash tag <c>{cluster}</c> keeps every key in one Redis
/// Cluster slot, since one Lua script touches several.
/// </summary>
internal static class ClusterKeys
{
    public const string Prefix = "switchboard:{cluster}:";

    /// <summary>Sorted set: member = node id, score = the node's lease expiry (Redis server time, ms).</summary>
    public const string Nodes = Prefix + "nodes";

    /// <summary>Hash: call id → the call's entry (JSON, <see cref="ClusterCall"/>), for every live call of every node.</summary>
    public const string Calls = Prefix + "calls";

    /// <summary>Hash of a node's facts: state (live, draining), url, started, calls.</summary>
    public static string Facts(string nodeId) => Prefix + "facts:" + nodeId;

    /// <summary>Set of the call ids a node registered (what a reaper closes, what the node's reconcile prunes).</summary>
    public static string NodeCalls(string nodeId) => Prefix + "node-calls:" + nodeId;

    /// <summary>The lock a live node takes (SET NX PX) before reaping a dead node.</summary>
    public static string ReapClaim(string nodeId) => Prefix + "reap:" + nodeId;

    /// <summary>The node's pub/sub channel: commands forwarded to it and replies to its own requests.</summary>
    public static string Channel(string nodeId) => Prefix + "node:" + nodeId;
}
