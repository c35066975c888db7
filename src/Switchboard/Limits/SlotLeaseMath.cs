using System.Globalization;

namespace Switchboard.Limits;

/// <summary>
/// The pure arithmetic of the shared concurrency slots in Redis: which slots are shared, the keys and members they are held
/// under, and how often a node renews its leases. A lease is a member of a sorted set whose score is its expiry (Redis
/// server time, ms), so a dead node's slots free themselves once they are older than the lease.
/// </summary>
internal static class SlotLeaseMath
{
    /// <summary>Key prefix; the hash tag keeps every slot key in one cluster slot, as one Lua script touches several.</summary>
    public const string KeyPrefix = "switchboard:{slots}:";

    /// <summary>The Redis key of a slot key (<c>t:…</c>, <c>e:…</c>).</summary>
    public static string RedisKey(string slotKey) => KeyPrefix + slotKey;

    /// <summary>The member one call holds its leases under: the node id, then a fresh id for the call's permit.</summary>
    public static string Member(string nodeId, Guid leaseId) => nodeId + ":" + leaseId.ToString("N", CultureInfo.InvariantCulture);

    /// <summary>
    /// The slots counted in Redis: the capped ones except the node-wide cap (which stays per node). A slot without a cap needs
    /// no shared count, so an uncapped call never waits on Redis.
    /// </summary>
    public static List<(string Key, int Cap)> Shared(IReadOnlyList<(string Key, int Cap)> slots, string nodeKey)
    {
        var shared = new List<(string Key, int Cap)>(slots.Count);
        foreach (var slot in slots)
        {
            if (slot.Cap > 0 && !string.Equals(slot.Key, nodeKey, StringComparison.Ordinal))
            {
                shared.Add(slot);
            }
        }

        return shared;
    }

    /// <summary>Renewal period: a third of the lease, so two renewals in a row may fail before a live call's slot lapses.</summary>
    public static TimeSpan RenewalInterval(int leaseSeconds) => TimeSpan.FromSeconds(leaseSeconds / 3.0);

    /// <summary>Time to live of a whole sorted set: twice the lease, so a key nobody renews disappears on its own.</summary>
    public static long KeyTtlMilliseconds(int leaseSeconds) => leaseSeconds * 2000L;

    /// <summary>Whether a lease with expiry <paramref name="expiryMs"/> still holds its slot at <paramref name="nowMs"/>.</summary>
    public static bool Live(long expiryMs, long nowMs) => expiryMs > nowMs;
}
