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
    private double _costUsd;
    private int _closed;

    public CallPermit(CallLimits limits, SlotLease? lease, TimeProvider time)
    {
        Limits = limits;
        _lease = lease;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        foreach (var budget in limits.Budgets)
        {
            budget.Scope.Join(_startTimestamp);
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

        _lease?.Dispose();
    }

    public void Dispose() => Close();
}
