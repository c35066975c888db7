using Switchboard.Control;
using Switchboard.Server.Control;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/admin</c>: operations on this gateway node, for its operator: an ADMIN key of the default team (the team
/// the gateway created at first start). Another team's ADMIN key is a tenant's, and a tenant must not take the node out of
/// service for everyone.
/// </summary>
internal static class AdminEndpoints
{
    public const string DrainPath = "/api/v1/admin/drain";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(DrainPath, Drain)
            .WithTags("Admin")
            .RequireScope(ApiScopes.Admin)
            .WithName("DrainNode")
            .WithSummary("Drain this gateway node before a restart")
            .WithDescription("For the gateway's operator: an ADMIN key of the default team (another team's key is refused with 403). Does what SIGTERM does: this node refuses new calls (carrier streams close 1013, sessions 4429), its health endpoint " +
                "answers 503 `draining`, running calls go on for up to `Switchboard:Drain:TimeoutSeconds`, then each gets a spoken goodbye and ends " +
                "`shutdown`; once the last call is journalled the process exits (code 0). Idempotent: a repeated request changes nothing and " +
                "answers the same. There is no undo; restart the process to take calls again.")
            .Produces<DrainResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static IResult Drain(HttpContext context, DrainCoordinator drain, ControlPlaneState state)
    {
        var caller = ApiCaller.From(context);
        if (!state.IsReady || caller.TeamId != state.Bootstrap.DefaultTeam.Id)
        {
            return ApiProblems.Forbidden("draining the node is for the gateway's operator: use an ADMIN key of the default team");
        }

        drain.Begin($"POST {DrainPath} (key {caller.KeyPrefix})");
        var response = new DrainResponse(true, drain.Since ?? DateTimeOffset.UtcNow, drain.LiveCalls, drain.TimeoutSeconds);
        return Results.Json(response, ApiJsonContext.Default.DrainResponse, statusCode: StatusCodes.Status202Accepted);
    }
}
