using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary><c>GET /api/v1/team</c>: who am I — the key's team and the key itself. Any valid key.</summary>
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
            .WithDescription("The team the API key belongs to, and the key's id, prefix and scopes. Useful to check a key.")
            .Produces<TeamResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ITeamStore store)
    {
        var caller = ApiCaller.From(context);
        var team = await store.GetTeamAsync(caller.TeamId, context.RequestAborted);
        if (team is null)
        {
            return ApiProblems.NotFound("the key's team no longer exists");
        }

        var response = new TeamResponse(team.Id, team.Name, new TeamKeyInfo(caller.KeyId, caller.KeyPrefix, ApiScopeNames.ToNames(caller.Scopes)));
        return Results.Json(response, ApiJsonContext.Default.TeamResponse);
    }
}
