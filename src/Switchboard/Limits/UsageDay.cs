namespace Switchboard.Limits;

/// <summary>One day of usage in the team's time zone (<see cref="UsageTotals"/> explains the figures), split by endpoint.</summary>
/// <param name="Date">The day, in the team's time zone.</param>
/// <param name="Calls">Calls admitted.</param>
/// <param name="Refused">Calls refused at admission.</param>
/// <param name="Seconds">Seconds of the ended calls.</param>
/// <param name="CostUsd">Estimated model cost of the ended calls, in US dollars.</param>
/// <param name="Endpoints">The endpoints that had calls that day, busiest first.</param>
internal sealed record UsageDay(DateOnly Date, int Calls, int Refused, double Seconds, double CostUsd, IReadOnlyList<UsageByEndpoint> Endpoints);
