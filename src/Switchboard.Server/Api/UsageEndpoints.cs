using System.ComponentModel;
using Switchboard.Control;
using Switchboard.Limits;

namespace Switchboard.Server.Api;

/// <summary><c>GET /api/v1/usage</c>: the team's calls, seconds and estimated cost per day. READ_CALLS. The rules are <see cref="UsageAdmin"/>'s, shared with the CLI.</summary>
internal static class UsageEndpoints
{
    public const string Path = "/api/v1/usage";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, GetAsync)
            .WithTags("Usage")
            .RequireScope(ApiScopes.ReadCalls)
            .WithName("GetUsage")
            .WithSummary("Get usage per day")
            .WithDescription("Calls, refused calls, seconds and estimated cost per day in the team's time zone (`limits.timeZone`, UTC when unset), " +
                "every day of the span included, split by endpoint, with totals: what the daily budgets count. A call counts toward the day it started in; " +
                "its seconds and cost once it has ended. Calls whose model has no price add no cost. At most 92 days.")
            .Produces<UsageReport>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetAsync(
        HttpContext context,
        UsageAdmin admin,
        [Description("Start: an ISO 8601 date (the day's start in the team's time zone) or date-time (with Z or an offset: that instant; without: local time in the team's zone). Default: the start of the day 6 days before `to`'s, so 7 days.")] string? from,
        [Description("End: a date (its day included) or a date-time (exclusive). Default: now.")] string? to,
        [Description("Only this endpoint's calls (its id). Default: the whole team.")] string? endpointId)
    {
        var caller = ApiCaller.From(context);
        return (await admin.ReportAsync(caller.TeamId, from, to, endpointId, context.RequestAborted)).Succeeded(out var report, out var error)
            ? Results.Json(report, ApiJsonContext.Default.UsageReport)
            : ApiProblems.From(error, summarize: true);
    }
}
