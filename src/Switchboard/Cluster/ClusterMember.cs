namespace Switchboard.Cluster;

/// <summary>A node as the cluster registry knows it: its lease and the facts it last wrote.</summary>
internal sealed record ClusterMember
{
    /// <summary>The state of a node that admits calls.</summary>
    public const string LiveState = "live";

    /// <summary>The state of a node that refuses new calls while its running calls end.</summary>
    public const string DrainingState = "draining";

    public required string Id { get; init; }

    /// <summary>Whether its lease is still current (Redis server time).</summary>
    public required bool Live { get; init; }

    /// <summary><c>live</c> or <c>draining</c> (what the node last wrote).</summary>
    public string? State { get; init; }

    public string? Url { get; init; }

    public DateTimeOffset? Started { get; init; }

    /// <summary>Live calls it had at its last renewal.</summary>
    public int Calls { get; init; }

    /// <summary>When its lease expires (or expired).</summary>
    public required DateTimeOffset LeaseExpires { get; init; }
}
