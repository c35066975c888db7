namespace Switchboard.Limits;

/// <summary>
/// One budget scope (an endpoint or a team) for one day: what its finished calls used (from the store when the day was
/// first needed, then added as calls end here) plus what its live calls are using now. Thread-safe.
/// </summary>
internal sealed class UsageScope
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private double _finishedSeconds;
    private double _finishedCostUsd;
    private int _live;
    private long _liveStartSum;
    private double _liveCostUsd;

    public UsageScope(string key, DateTimeOffset dayStart, DateTimeOffset dayEnd, double finishedSeconds, double finishedCostUsd, TimeProvider time)
    {
        Key = key;
        DayStart = dayStart;
        DayEnd = dayEnd;
        _finishedSeconds = finishedSeconds;
        _finishedCostUsd = finishedCostUsd;
        _time = time;
    }

    /// <summary><c>e:&lt;endpoint id&gt;</c> or <c>t:&lt;team id&gt;</c>.</summary>
    public string Key { get; }

    public DateTimeOffset DayStart { get; }

    public DateTimeOffset DayEnd { get; }

    /// <summary>Calls of this scope running now on this node.</summary>
    public int Live
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    /// <summary>Seconds and estimated cost used today: finished calls, plus live calls up to now.</summary>
    public (double Seconds, double CostUsd) Used()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var liveSeconds = (double)((_live * now) - _liveStartSum) / _time.TimestampFrequency;
            return (_finishedSeconds + liveSeconds, _finishedCostUsd + _liveCostUsd);
        }
    }

    internal void Join(long startTimestamp)
    {
        lock (_gate)
        {
            _live++;
            _liveStartSum += startTimestamp;
        }
    }

    internal void AddCost(double usd)
    {
        lock (_gate)
        {
            _liveCostUsd += usd;
        }
    }

    internal void Leave(long startTimestamp, double seconds, double costUsd)
    {
        lock (_gate)
        {
            _live--;
            _liveStartSum -= startTimestamp;
            _liveCostUsd -= costUsd;
            _finishedSeconds += seconds;
            _finishedCostUsd += costUsd;
        }
    }
}

/// <summary>A daily budget a call runs under: the scope it counts in and the scope's caps (0: none).</summary>
internal sealed record CallBudget(UsageScope Scope, string Owner, int MaxDailySeconds, double MaxDailyCostUsd)
{
    /// <summary>What is left of the tighter of the two budgets, as seconds and dollars (∞ where there is no budget).</summary>
    public (double Seconds, double CostUsd) Remaining()
    {
        var (seconds, cost) = Scope.Used();
        return (MaxDailySeconds > 0 ? MaxDailySeconds - seconds : double.PositiveInfinity,
            MaxDailyCostUsd > 0 ? MaxDailyCostUsd - cost : double.PositiveInfinity);
    }

    /// <summary>Whether nothing is left (of either budget).</summary>
    public bool Exhausted()
    {
        var (seconds, cost) = Remaining();
        return seconds <= 0 || cost <= 0;
    }
}
