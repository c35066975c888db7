namespace Switchboard.Limits;

/// <summary>
/// Concurrency caps as counted slots (the node's, each team's, each endpoint's). A call takes all of its slots at once or
/// none, and holds them in a <see cref="SlotLease"/> that is released exactly once, however the call ends. In-process:
/// the multi-node issue moves the counters to expiring leases in Redis.
/// </summary>
internal sealed class ConcurrencySlots
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _inUse = new(StringComparer.Ordinal);

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

    internal SlotLease(ConcurrencySlots owner, string[] keys)
    {
        _owner = owner;
        _keys = keys;
    }

    /// <summary>Whether the slots are still held.</summary>
    public bool Held => Volatile.Read(ref _owner) is not null;

    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release(_keys);
}
