namespace Switchboard.Limits;

/// <summary>
/// What an admitted call holds until it ends: its limits, its concurrency slots and its place in its daily budgets.
/// <see cref="Close"/> books the call's seconds and cost; <see cref="Dispose"/> releases everything once, also when the
/// call died before it could close (a crash, a killed socket), so no slot and no live budget share is ever leaked.
/// </summary>
internal sealed class CallPermit : IDisposable
{
    private readonly SlotLease? _lease;
    private readonly long _startTimestamp;
    private readonly TimeProvider _time;
    private readonly RedisBudgets? _shared;
    private readonly string? _sharedMember;
    private double _costUsd;
    private int _closed;

    /// <param name="limits">The call's limits and budgets.</param>
    /// <param name="lease">Its concurrency slots.</param>
    /// <param name="time">The clock.</param>
    /// <param name="shared">With Redis, where its budgets are also counted for the other nodes.</param>
    public CallPermit(CallLimits limits, SlotLease? lease, TimeProvider time, RedisBudgets? shared = null)
    {
        Limits = limits;
        _lease = lease;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        foreach (var budget in limits.Budgets)
        {
            budget.Scope.Join(_startTimestamp);
        }

        if (shared is not null && limits.Budgets.Count > 0)
        {
            _shared = shared;
            _sharedMember = shared.Join(limits.Budgets, _startTimestamp);
        }
    }

    public CallLimits Limits { get; }

    /// <summary>The call's estimated cost so far, in US dollars.</summary>
    public double CostUsd => Volatile.Read(ref _costUsd);

    /// <summary>Sets the call's estimated cost so far (it only grows); the difference counts in its daily budgets at once.</summary>
    public void SetCost(double totalUsd)
    {
        var delta = totalUsd - _costUsd;
        if (delta <= 0 || Volatile.Read(ref _closed) != 0)
        {
            return;
        }

        _costUsd = totalUsd;
        foreach (var budget in Limits.Budgets)
        {
            budget.Scope.AddCost(delta);
        }

        _shared?.SetCost(_sharedMember!, totalUsd);
    }

    /// <summary>The first daily budget with nothing left, or null.</summary>
    public CallBudget? ExhaustedBudget()
    {
        foreach (var budget in Limits.Budgets)
        {
            if (budget.Exhausted())
            {
                return budget;
            }
        }

        return null;
    }

    /// <summary>Books the call (its whole length and cost) and releases its slots. Once; later calls do nothing.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        var seconds = _time.GetElapsedTime(_startTimestamp).TotalSeconds;
        foreach (var budget in Limits.Budgets)
        {
            budget.Scope.Leave(_startTimestamp, seconds, _costUsd);
        }

        _shared?.Leave(_sharedMember!);

        _lease?.Dispose();
    }

    public void Dispose() => Close();
}
