namespace Switchboard.Limits;

/// <summary>
/// Concurrency caps as counted slots (the node's, each team's, each endpoint's). A call takes all of its slots at once or
/// none, and holds them in a <see cref="SlotLease"/> that is released exactly once, however the call ends. Always counted
/// in-process (the node's own view); with Redis configured the team and endpoint caps are also counted across nodes
/// (<see cref="RedisSlots"/>) and those counts decide (docs/cluster.md).
/// </summary>
internal sealed class ConcurrencySlots
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _inUse = new(StringComparer.Ordinal);
    private readonly RedisSlots? _shared;

    /// <summary>In-process counting only (a single node).</summary>
    public ConcurrencySlots()
    {
    }

    /// <summary>With <paramref name="shared"/>, the team and endpoint caps are counted across nodes in Redis.</summary>
    public ConcurrencySlots(RedisSlots? shared) => _shared = shared;

    /// <summary>Slots held under <paramref name="key"/>.</summary>
    public int InUse(string key)
    {
        lock (_gate)
        {
            return _inUse.GetValueOrDefault(key);
        }
    }

    /// <summary>Slots held in all, over every key (a test's leak check: 0 once every call has ended).</summary>
    public int Total
    {
        get
        {
            lock (_gate)
            {
                return _inUse.Values.Sum();
            }
        }
    }

    /// <summary>
    /// Takes one slot under each key whose cap is positive, or none: null with <paramref name="full"/> naming the first
    /// full key. A key with cap 0 is counted but never refuses.
    /// </summary>
    public SlotLease? TryAcquire(IReadOnlyList<(string Key, int Cap)> slots, out string? full)
    {
        lock (_gate)
        {
            foreach (var (key, cap) in slots)
            {
                if (cap > 0 && _inUse.GetValueOrDefault(key) >= cap)
                {
                    full = key;
                    return null;
                }
            }

            var keys = new string[slots.Count];
            for (var i = 0; i < slots.Count; i++)
            {
                keys[i] = slots[i].Key;
                _inUse[keys[i]] = _inUse.GetValueOrDefault(keys[i]) + 1;
            }

            full = null;
            return new SlotLease(this, keys);
        }
    }

    /// <summary>
    /// Takes the call's slots on this node, then (with Redis) its capped team and endpoint slots across nodes; all or none.
    /// While Redis is unreachable the outage policy decides: <c>refuse</c> takes nothing and sets
    /// <see cref="SlotAcquisition.SharedUnavailable"/>; <c>local</c> keeps the node's own count.
    /// </summary>
    public async ValueTask<SlotAcquisition> AcquireAsync(IReadOnlyList<(string Key, int Cap)> slots, string nodeKey, CancellationToken cancellationToken)
    {
        var lease = TryAcquire(slots, out var full);
        if (lease is null)
        {
            return new SlotAcquisition(null, full, null);
        }

        var shared = _shared is null ? [] : SlotLeaseMath.Shared(slots, nodeKey);
        if (shared.Count == 0)
        {
            return new SlotAcquisition(lease, null, null);
        }

        SharedAcquisition result;
        try
        {
            result = await _shared!.TryAcquireAsync(shared, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        switch (result.Outcome)
        {
            case SharedOutcome.Acquired:
                lease.Attach(result.Lease!);
                return new SlotAcquisition(lease, null, null);
            case SharedOutcome.Unavailable when _shared!.LocalFallback:
                return new SlotAcquisition(lease, null, null);
            case SharedOutcome.Unavailable:
                lease.Dispose();
                return new SlotAcquisition(null, null, result.Failure ?? "unreachable");
            default:
                lease.Dispose();
                return new SlotAcquisition(null, result.FullKey, null);
        }
    }

    internal void Release(string[] keys)
    {
        lock (_gate)
        {
            foreach (var key in keys)
            {
                var left = _inUse.GetValueOrDefault(key) - 1;
                if (left <= 0)
                {
                    _inUse.Remove(key);
                }
                else
                {
                    _inUse[key] = left;
                }
            }
        }
    }
}

/// <summary>The slots one call holds; disposing releases them, once (later disposals do nothing).</summary>
internal sealed class SlotLease : IDisposable
{
    private ConcurrencySlots? _owner;
    private readonly string[] _keys;
    private IDisposable? _shared;

    internal SlotLease(ConcurrencySlots owner, string[] keys)
    {
        _owner = owner;
        _keys = keys;
    }

    /// <summary>Whether the slots are still held.</summary>
    public bool Held => Volatile.Read(ref _owner) is not null;

    /// <summary>Adds the call's shared (Redis) lease, released with the node's slots.</summary>
    internal void Attach(IDisposable shared) => Volatile.Write(ref _shared, shared);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _owner, null) is { } owner)
        {
            owner.Release(_keys);
            Interlocked.Exchange(ref _shared, null)?.Dispose();
        }
    }
}
