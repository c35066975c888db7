using System.Globalization;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Configuration;

namespace Switchboard.Limits;

/// <summary>
/// The limits half of admission, the same for every channel: the node draining, the endpoint's and the team's daily
/// budgets, then the node's, the team's and the endpoint's concurrency caps. Admitted calls get a <see cref="CallPermit"/>;
/// a preflight (a TwiML webhook, a session being created) checks the same without taking a slot.
/// </summary>
internal sealed class AdmissionGate
{
    /// <summary>Key of the node-wide concurrency slot.</summary>
    public const string NodeKey = "node";

    private static readonly TimeSpan DrainingRetryAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SharedStateRetryAfter = TimeSpan.FromSeconds(5);

    private readonly SwitchboardOptions _options;
    private readonly ConcurrencySlots _slots;
    private readonly UsageLedger _ledger;
    private readonly DrainState _drain;
    private readonly TeamLimitsCache _teams;
    private readonly TimeProvider _time;
    private readonly RedisBudgets? _budgets;

    /// <param name="options">The gateway's options.</param>
    /// <param name="slots">The concurrency slots.</param>
    /// <param name="ledger">The daily usage.</param>
    /// <param name="drain">The drain flag.</param>
    /// <param name="teams">Teams' limits.</param>
    /// <param name="time">The clock.</param>
    /// <param name="budgets">With Redis, the daily budgets' live usage on the other nodes (null: this node only).</param>
    public AdmissionGate(IOptions<SwitchboardOptions> options, ConcurrencySlots slots, UsageLedger ledger, DrainState drain, TeamLimitsCache teams, TimeProvider time,
        RedisBudgets? budgets = null)
    {
        _budgets = budgets;
        _options = options.Value;
        _slots = slots;
        _ledger = ledger;
        _drain = drain;
        _teams = teams;
        _time = time;
    }

    public static string TeamKey(Guid teamId) => "t:" + teamId.ToString("N");

    public static string EndpointKey(Guid endpointId) => "e:" + endpointId.ToString("N");

    /// <summary>
    /// Decides whether a call on the endpoint may start now. With <paramref name="admit"/> the call's slots are taken and
    /// its permit returned; without, nothing is held (a preflight).
    /// </summary>
    public async Task<GateDecision> CheckAsync(Guid teamId, Guid endpointId, LimitsSpec? limits, bool admit, CancellationToken cancellationToken)
    {
        if (_drain.IsDraining)
        {
            return new GateDecision(new Refusal(Refusals.Draining, "the gateway is draining for a restart", DrainingRetryAfter));
        }

        var team = await _teams.GetAsync(teamId, cancellationToken).ConfigureAwait(false);
        var zone = team.Zone;
        var budgets = new List<CallBudget>(2);
        if (limits is { MaxDailyCallSeconds: > 0 } or { MaxDailyCostUsd: > 0 })
        {
            var scope = await _ledger.TodayAsync(teamId, endpointId, zone, cancellationToken).ConfigureAwait(false);
            budgets.Add(new CallBudget(scope, "endpoint", limits.MaxDailyCallSeconds, limits.MaxDailyCostUsd));
        }

        if (team is { MaxDailyCallSeconds: > 0 } or { MaxDailyCostUsd: > 0 })
        {
            var scope = await _ledger.TodayAsync(teamId, null, zone, cancellationToken).ConfigureAwait(false);
            budgets.Add(new CallBudget(scope, "team", team.MaxDailyCallSeconds, team.MaxDailyCostUsd));
        }

        foreach (var budget in budgets)
        {
            // With several nodes, the other nodes' live calls and finished calls are brought up to date first.
            if (_budgets is not null && !await _budgets.RefreshAsync(budget.Scope, cancellationToken).ConfigureAwait(false)
                && _options.Redis.OutagePolicy != RedisOptions.LocalPolicy)
            {
                return new GateDecision(new Refusal(Refusals.SharedStateUnavailable,
                    "shared state (Redis) unreachable: new calls refused until it returns", SharedStateRetryAfter));
            }

            var (seconds, cost) = budget.Remaining();
            if (seconds <= 0 || cost <= 0)
            {
                var what = seconds <= 0 ? "call seconds" : "cost budget";
                return new GateDecision(new Refusal(Refusals.BudgetExhausted, $"the {budget.Owner}'s daily {what} are used up",
                    budget.Scope.DayEnd - _time.GetUtcNow()));
            }
        }

        var nodeCap = _options.Limits.MaxConcurrentCalls;
        var teamCap = team.MaxConcurrentCalls;
        var endpointCap = limits?.MaxConcurrentCalls ?? 0;
        if (!admit)
        {
            var full = Full(NodeKey, nodeCap) ?? Full(TeamKey(teamId), teamCap) ?? Full(EndpointKey(endpointId), endpointCap);
            return full is null ? new GateDecision(CallLimits.None) : new GateDecision(Busy(full, teamId, nodeCap, teamCap, endpointCap));
        }

        var taken = await _slots.AcquireAsync([(NodeKey, nodeCap), (TeamKey(teamId), teamCap), (EndpointKey(endpointId), endpointCap)], NodeKey, cancellationToken)
            .ConfigureAwait(false);
        if (taken.SharedUnavailable is { } failure)
        {
            return new GateDecision(new Refusal(Refusals.SharedStateUnavailable,
                $"shared state (Redis) {failure}: new calls refused until it returns", SharedStateRetryAfter));
        }

        if (taken.Lease is not { } lease)
        {
            return new GateDecision(Busy(taken.FullKey!, teamId, nodeCap, teamCap, endpointCap));
        }

        var callLimits = CallLimits.For(limits, team, _options, budgets);
        return new GateDecision(callLimits) { Permit = new CallPermit(callLimits, lease, _time, _budgets) };
    }

    private string? Full(string key, int cap) => cap > 0 && _slots.InUse(key) >= cap ? key : null;

    private Refusal Busy(string key, Guid teamId, int nodeCap, int teamCap, int endpointCap)
    {
        var (owner, cap) = key == NodeKey ? ("gateway", nodeCap) : key == TeamKey(teamId) ? ("team", teamCap) : ("endpoint", endpointCap);
        return new Refusal(Refusals.Busy, $"the {owner}'s cap of {cap.ToString(CultureInfo.InvariantCulture)} concurrent calls is reached",
            TimeSpan.FromSeconds(_options.Limits.BusyRetryAfterSeconds));
    }
}

/// <summary>The gate's answer: a refusal, or the limits the call runs under (and, when admitted, its permit).</summary>
internal sealed record GateDecision
{
    public GateDecision(Refusal refusal)
    {
        Refusal = refusal;
        Limits = CallLimits.None;
    }

    public GateDecision(CallLimits limits) => Limits = limits;

    public Refusal? Refusal { get; }

    public CallLimits Limits { get; }

    /// <summary>Held by an admitted call until it ends (null for a preflight or a refusal).</summary>
    public CallPermit? Permit { get; init; }
}
