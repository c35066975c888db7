using System.ComponentModel;
using Switchboard.Artifacts;
using Switchboard.Control;
using Switchboard.Journal;

namespace Switchboard.Server.Api;

/// <summary><c>/api/v1/calls</c>: the team's calls, newest first, one call with its transcript, events and artifact, and the artifact alone. READ_CALLS.</summary>
internal static class CallEndpoints
{
    public const string Path = "/api/v1/calls";

    /// <summary>Call ids are <c>call_</c> + 32 hex digits; anything much longer cannot be one.</summary>
    private const int MaxIdLength = 128;

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Path).WithTags("Calls").RequireScope(ApiScopes.ReadCalls);

        group.MapGet("", ListAsync)
            .WithName("ListCalls")
            .WithSummary("List calls")
            .WithDescription("The team's calls, newest first, one page at a time. Events reach the database in batches, so a call that just ended may take a moment to show its end.")
            .Produces<CallListResponse>()
            .ProducesValidationProblem();

        group.MapGet("/{id}", GetAsync)
            .WithName("GetCall")
            .WithSummary("Get a call with its transcript and events")
            .WithDescription("The call's summary, its transcript (caller and agent turns; an agent turn the caller barged in on is marked `interrupted` with `heardMs`) and every stored event in order.")
            .Produces<CallDetailResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/artifact", GetArtifactAsync)
            .WithName("GetCallArtifact")
            .WithSummary("Get a call's post-call artifact")
            .WithDescription("The post-call artifact (docs/artifacts.md): endpoint, carrier ids, numbers redacted per the endpoint's privacy, times, end reason, " +
                "transcript, tool calls, transfer, token usage and estimated cost, summary and hot hand-offs. For a call still running it is the artifact so far, " +
                "with `final: false`; the `call.artifact` webhook carries the final one.")
            .Produces<CallArtifact>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(
        HttpContext context,
        ICallStore store,
        [Description("1-based page number (default 1).")] string? page,
        [Description("Items per page, 1-100 (default 20).")] string? limit)
    {
        if (!PageQuery.TryParse(page, limit, out var request, out var problem))
        {
            return problem!;
        }

        var caller = ApiCaller.From(context);
        var result = await store.ListCallsAsync(caller.TeamId, request.Offset, request.Limit, context.RequestAborted);
        var response = new CallListResponse(result.Items.Select(CallResponse.Summarize).ToList(), PaginationInfo.For(request, result.Total));
        return Results.Json(response, ApiJsonContext.Default.CallListResponse);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ICallStore store, [Description("The call's id (call_…).")] string id)
    {
        var caller = ApiCaller.From(context);
        var call = id.Length <= MaxIdLength ? await store.GetCallAsync(caller.TeamId, id, context.RequestAborted) : null;
        if (call is null)
        {
            return ApiProblems.NotFound("no such call");
        }

        var events = await store.ReadEventsAsync(call.Id, context.RequestAborted);
        var artifact = CallArtifactBuilder.Build(events, context.RequestServices.GetRequiredService<CallPricing>());
        return Results.Json(CallDetailResponse.Build(call, events, artifact), ApiJsonContext.Default.CallDetailResponse);
    }

    private static async Task<IResult> GetArtifactAsync(HttpContext context, ICallStore store, CallPricing pricing, [Description("The call's id (call_…).")] string id)
    {
        var caller = ApiCaller.From(context);
        var call = id.Length <= MaxIdLength ? await store.GetCallAsync(caller.TeamId, id, context.RequestAborted) : null;
        if (call is null)
        {
            return ApiProblems.NotFound("no such call");
        }

        var events = await store.ReadEventsAsync(call.Id, context.RequestAborted);
        return Results.Json(CallArtifactBuilder.Build(events, pricing), CallArtifactJsonContext.Default.CallArtifact);
    }
}
