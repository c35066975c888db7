using Switchboard.Control;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Api;

/// <summary><c>/api/v1/admin</c>: operations on this gateway node. ADMIN only.</summary>
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
            .WithDescription("Does what SIGTERM does: this node refuses new calls (carrier streams close 1013, sessions 4429), its health endpoint " +
                "answers 503 `draining`, running calls go on for up to `Switchboard:Drain:TimeoutSeconds`, then each gets a spoken goodbye and ends " +
                "`shutdown`; once the last call is journalled the process exits (code 0). Idempotent: a repeated request changes nothing and " +
                "answers the same. There is no undo; restart the process to take calls again.")
            .Produces<DrainResponse>(StatusCodes.Status202Accepted);
    }

    private static IResult Drain(HttpContext context, DrainCoordinator drain)
    {
        var caller = ApiCaller.From(context);
        drain.Begin($"POST {DrainPath} (key {caller.KeyPrefix})");
        var response = new DrainResponse(true, drain.Since ?? DateTimeOffset.UtcNow, drain.LiveCalls, drain.TimeoutSeconds);
        return Results.Json(response, ApiJsonContext.Default.DrainResponse, statusCode: StatusCodes.Status202Accepted);
    }
}
