using Switchboard.Control;
using Switchboard.Limits;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/team</c>: who am I — the key's team, the key itself and the team's limits (any valid key); and changing
/// the team's limits (ADMIN). The rules are <see cref="TeamAdmin"/>'s, shared with the CLI.
/// </summary>
internal static class TeamEndpoints
{
    public const string Path = "/api/v1/team";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, GetAsync)
            .WithTags("Team")
            .RequireScope(ApiScopes.None)
            .WithName("GetTeam")
            .WithSummary("Get the caller's team")
            .WithDescription("The team the API key belongs to, the key's id, prefix and scopes (useful to check a key), and the team's `limits`: " +
                "caps and budgets enforced together with each endpoint's (the tighter wins), 0 meaning none from the team.")
            .Produces<TeamResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        routes.MapPatch(Path, PatchAsync)
            .WithTags("Team")
            .RequireScope(ApiScopes.Admin)
            .WithName("UpdateTeam")
            .WithSummary("Change the team's limits")
            .WithDescription("`limits` is merged field by field into the stored limits: a field left out is kept, `null` resets it (no cap or budget; " +
                "UTC days for `timeZone`). New calls see the change at once on this node (within a few seconds on others); calls already running keep " +
                "the limits they started with. Unknown fields and invalid values are a 400 naming each field.")
            .WithJsonBody<TeamPatchRequest>()
            .Produces<TeamResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<IResult> GetAsync(HttpContext context, TeamAdmin admin)
    {
        var caller = ApiCaller.From(context);
        var team = await admin.GetAsync(caller.TeamId, context.RequestAborted);
        return team is null ? ApiProblems.NotFound("the key's team no longer exists") : Respond(caller, team);
    }

    private static async Task<IResult> PatchAsync(HttpContext context, TeamAdmin admin, TeamLimitsCache cache, ILoggerFactory loggers)
    {
        var caller = ApiCaller.From(context);
        var team = await admin.GetAsync(caller.TeamId, context.RequestAborted);
        if (team is null)
        {
            return ApiProblems.NotFound("the key's team no longer exists");
        }

        var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return problem!;
        }

        if (!(await admin.UpdateAsync(team, body, context.RequestAborted)).Succeeded(out var updated, out var error))
        {
            return ApiProblems.From(error, summarize: true);
        }

        // Admission reads teams' limits through a short cache; this node applies the change to the next call.
        cache.Invalidate(team.Id);
        ApiLog.TeamLimitsUpdated(loggers.CreateLogger(ApiLog.Category), team.Id, string.Join(",", body["limits"]!.AsObject().Select(f => f.Key)), caller.KeyPrefix);
        return Respond(caller, updated);
    }

    private static IResult Respond(ApiCaller caller, Team team) =>
        Results.Json(new TeamResponse(team.Id, team.Name, new TeamKeyInfo(caller.KeyId, caller.KeyPrefix, ApiScopeNames.ToNames(caller.Scopes)), team.Limits),
            ApiJsonContext.Default.TeamResponse);
}
