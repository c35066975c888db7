using Switchboard.Agents;
using Switchboard.Configuration;
using Switchboard.Control;

namespace Switchboard.Limits;

/// <summary>
/// The limits one call runs under: its endpoint's, its team's and the gateway's folded together (the tighter cap wins;
/// an unset warning or idle time takes the gateway's default). Durations in seconds, 0 meaning none.
/// </summary>
internal sealed record CallLimits
{
    public int MaxCallSeconds { get; init; }

    public int CallWarningSeconds { get; init; }

    public int IdleWarningSeconds { get; init; }

    public int IdleTimeoutSeconds { get; init; }

    public double MaxCallCostUsd { get; init; }

    public double CostWarningFraction { get; init; } = 1;

    public int GoodbyeSeconds { get; init; } = 10;

    /// <summary>The call's daily budgets (its endpoint's and its team's), each counted with every other call in that scope.</summary>
    public IReadOnlyList<CallBudget> Budgets { get; init; } = [];

    /// <summary>No limits but the goodbye bound (tests, calls that never reached an endpoint).</summary>
    public static CallLimits None { get; } = new();

    public static CallLimits For(LimitsSpec? endpoint, TeamLimits team, SwitchboardOptions options, IReadOnlyList<CallBudget> budgets)
    {
        var gateway = options.Limits;
        var maxCall = endpoint?.MaxCallSeconds is > 0 ? endpoint.MaxCallSeconds : options.Bridge.MaxCallSeconds;
        return new CallLimits
        {
            MaxCallSeconds = Tighter(maxCall, team.MaxCallSeconds),
            CallWarningSeconds = endpoint?.CallWarningSeconds ?? gateway.CallWarningSeconds,
            IdleWarningSeconds = endpoint?.IdleWarningSeconds ?? gateway.IdleWarningSeconds,
            IdleTimeoutSeconds = endpoint?.IdleTimeoutSeconds ?? gateway.IdleTimeoutSeconds,
            MaxCallCostUsd = Tighter(endpoint?.MaxCallCostUsd ?? 0, team.MaxCallCostUsd),
            CostWarningFraction = gateway.CostWarningFraction,
            GoodbyeSeconds = gateway.GoodbyeSeconds,
            Budgets = budgets,
        };
    }

    /// <summary>The smaller of two caps where 0 means none.</summary>
    public static int Tighter(int a, int b) => a <= 0 ? Math.Max(b, 0) : b <= 0 ? a : Math.Min(a, b);

    /// <inheritdoc cref="Tighter(int, int)"/>
    public static double Tighter(double a, double b) => a <= 0 ? Math.Max(b, 0) : b <= 0 ? a : Math.Min(a, b);
}
