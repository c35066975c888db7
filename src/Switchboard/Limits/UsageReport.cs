namespace Switchboard.Limits;

/// <summary>
/// A team's usage per day (<c>GET /api/v1/usage</c>, <c>switchboard usage</c>): every day of [<see cref="From"/>,
/// <see cref="To"/>) in <see cref="TimeZone"/>, days without calls included, and the totals. A call counts toward the day
/// it started in, as for the daily budgets.
/// </summary>
/// <param name="From">Start of the span (inclusive).</param>
/// <param name="To">End of the span (exclusive).</param>
/// <param name="TimeZone">The IANA zone days are counted in: the team's <c>limits.timeZone</c>, UTC when unset.</param>
/// <param name="EndpointId">The one endpoint counted; null for the whole team.</param>
/// <param name="Totals">The whole span.</param>
/// <param name="Days">Each day, oldest first.</param>
internal sealed record UsageReport(DateTimeOffset From, DateTimeOffset To, string TimeZone, Guid? EndpointId, UsageTotals Totals, IReadOnlyList<UsageDay> Days);
