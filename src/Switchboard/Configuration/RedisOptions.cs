using StackExchange.Redis;

namespace Switchboard.Configuration;

/// <summary>
/// Shared state of several nodes (section <c>Switchboard:Redis</c>, docs/cluster.md). Without <see cref="Configuration"/>
/// everything stays in-process, as on a single node.
/// </summary>
public sealed record RedisOptions
{
    /// <summary>Refuse new admissions while Redis is unreachable (the default).</summary>
    public const string RefusePolicy = "refuse";

    /// <summary>Count the shared caps per node while Redis is unreachable.</summary>
    public const string LocalPolicy = "local";

    /// <summary>A StackExchange.Redis configuration string (<c>host:6379,password=…</c>); env <c>SWITCHBOARD_REDIS</c>. Never logged.</summary>
    public string? Configuration { get; init; }

    /// <summary>What admission does while Redis is unreachable: <c>refuse</c> (default) or <c>local</c>.</summary>
    public string OutagePolicy { get; init; } = RefusePolicy;

    /// <summary>
    /// How long a lease lives without renewal: a node's own lease, its calls' registry entries and its concurrency slots (a dead
    /// node's slots free themselves, and its calls are reaped, after this). Null: <see cref="SlotLeaseSeconds"/>.
    /// </summary>
    public int? LeaseSeconds { get; init; }

    /// <summary>The older name of <see cref="LeaseSeconds"/>, kept as an alias; <see cref="LeaseSeconds"/> wins when both are set.</summary>
    public int SlotLeaseSeconds { get; init; } = 30;

    /// <summary>The lease length in effect: <see cref="LeaseSeconds"/>, else <see cref="SlotLeaseSeconds"/>.</summary>
    public int EffectiveLeaseSeconds => LeaseSeconds ?? SlotLeaseSeconds;

    /// <summary>Whether shared state is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);

    internal IEnumerable<string> Validate(string prefix)
    {
        if (Enabled)
        {
            string? error = null;
            try
            {
                _ = ConfigurationOptions.Parse(Configuration!);
            }
            catch (ArgumentException ex)
            {
                // The message may quote the offending option; say only that it is malformed (the string may hold a password).
                error = ex.GetType().Name;
            }

            if (error is not null)
            {
                yield return $"{prefix}:Configuration is not a valid StackExchange.Redis configuration string.";
            }
        }

        if (OutagePolicy is not (RefusePolicy or LocalPolicy))
        {
            yield return $"{prefix}:OutagePolicy must be '{RefusePolicy}' or '{LocalPolicy}' (got '{OutagePolicy}').";
        }

        if (EffectiveLeaseSeconds is < 3 or > 3600)
        {
            var name = LeaseSeconds is null ? "SlotLeaseSeconds" : "LeaseSeconds";
            yield return $"{prefix}:{name} must be 3 to 3600 (got {EffectiveLeaseSeconds}).";
        }
    }
}
