namespace Switchboard.Limits;

/// <summary>
/// One budget scope (an endpoint or a team) for one day: what its finished calls used (from the store when the day was
/// first needed, then added as calls end here) plus what its live calls are using now. With Redis (<see cref="RedisBudgets"/>)
/// it also counts the live calls of the other nodes (their last reported usage, extrapolated in time) and re-reads the
/// finished calls of every node from the shared store. Thread-safe.
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
    private double _ownFinishedSeconds;
    private double _ownFinishedCostUsd;
    private int _othersLive;
    private double _othersSeconds;
    private double _othersCostUsd;
    private long _othersAt;
    private long _finishedReadAt;

    public UsageScope(string key, DateTimeOffset dayStart, DateTimeOffset dayEnd, double finishedSeconds, double finishedCostUsd, TimeProvider time)
    {
        Key = key;
        DayStart = dayStart;
        DayEnd = dayEnd;
        _finishedSeconds = finishedSeconds;
        _finishedCostUsd = finishedCostUsd;
        _time = time;
        _finishedReadAt = time.GetTimestamp();
    }

    /// <summary>The team the scope belongs to.</summary>
    public Guid TeamId { get; init; }

    /// <summary>The endpoint of an endpoint scope; null for the whole team.</summary>
    public Guid? EndpointId { get; init; }

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
            var othersSeconds = _othersSeconds + (_othersLive * (double)(now - _othersAt) / _time.TimestampFrequency);
            return (_finishedSeconds + liveSeconds + othersSeconds, _finishedCostUsd + _liveCostUsd + _othersCostUsd);
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
            _ownFinishedSeconds += seconds;
            _ownFinishedCostUsd += costUsd;
        }
    }

    /// <summary>
    /// The other nodes' live calls in this scope as Redis reported them just now: how many, the seconds they have run
    /// and their cost so far. Until the next report their seconds grow with the clock.
    /// </summary>
    internal void SetOthers(int live, double seconds, double costUsd)
    {
        lock (_gate)
        {
            _othersLive = live;
            _othersSeconds = seconds;
            _othersCostUsd = costUsd;
            _othersAt = _time.GetTimestamp();
        }
    }

    /// <summary>No report from Redis: keep what the other nodes' calls had used, but stop assuming they still run.</summary>
    internal void FreezeOthers()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            _othersSeconds += _othersLive * (double)(now - _othersAt) / _time.TimestampFrequency;
            _othersLive = 0;
            _othersAt = now;
        }
    }

    /// <summary>Time since the finished calls were last read from the store.</summary>
    internal TimeSpan SinceFinishedRead => _time.GetElapsedTime(Interlocked.Read(ref _finishedReadAt));

    /// <summary>What this node has booked so far (taken before the store is re-read; see <see cref="ReplaceFinished"/>).</summary>
    internal (double Seconds, double CostUsd) OwnFinishedMark()
    {
        lock (_gate)
        {
            return (_ownFinishedSeconds, _ownFinishedCostUsd);
        }
    }

    /// <summary>
    /// The finished calls as the store has them now (every node's), plus what this node booked after
    /// <paramref name="mark"/> (those calls may not be in the store yet). A call booked just before the mark but written
    /// later is missed until the next read.
    /// </summary>
    internal void ReplaceFinished(double seconds, double costUsd, (double Seconds, double CostUsd) mark)
    {
        lock (_gate)
        {
            _finishedSeconds = seconds + (_ownFinishedSeconds - mark.Seconds);
            _finishedCostUsd = costUsd + (_ownFinishedCostUsd - mark.CostUsd);
            Interlocked.Exchange(ref _finishedReadAt, _time.GetTimestamp());
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
