namespace Switchboard.Limits;

/// <summary>One endpoint's share of a day's usage (<see cref="UsageTotals"/> explains the figures).</summary>
/// <param name="EndpointId">The endpoint; null for calls recorded without one.</param>
/// <param name="Calls">Calls admitted.</param>
/// <param name="Refused">Calls refused at admission.</param>
/// <param name="Seconds">Seconds of the ended calls.</param>
/// <param name="CostUsd">Estimated model cost of the ended calls, in US dollars.</param>
internal sealed record UsageByEndpoint(Guid? EndpointId, int Calls, int Refused, double Seconds, double CostUsd);
