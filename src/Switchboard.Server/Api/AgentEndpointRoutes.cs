using System.ComponentModel;
using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/endpoints</c>: the team's agent endpoints. Reading needs READ_TEAM_APPS or MANAGE_ENDPOINTS,
/// writing MANAGE_ENDPOINTS. Every request reads the store, so a deleted endpoint is gone at once.
/// </summary>
internal static class AgentEndpointRoutes
{
    public const string Path = "/api/v1/endpoints";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Path).WithTags("Endpoints");

        group.MapGet("", ListAsync)
            .RequireAnyScope(ApiScopes.ReadTeamApps, ApiScopes.ManageEndpoints)
            .WithName("ListEndpoints")
            .WithSummary("List endpoints")
            .WithDescription("The team's endpoints, oldest first, one page at a time.")
            .Produces<EndpointListResponse>()
            .ProducesValidationProblem();

        group.MapPost("", CreateAsync)
            .RequireScope(ApiScopes.ManageEndpoints)
            .WithName("CreateEndpoint")
            .WithSummary("Create an endpoint")
            .WithDescription("`name` is required; every agent field left out takes its default. `isDefault: true` makes it the team's default endpoint. Unknown fields are refused.")
            .WithJsonBody<EndpointWriteRequest>()
            .Produces<EndpointResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("/{id}", GetAsync)
            .RequireAnyScope(ApiScopes.ReadTeamApps, ApiScopes.ManageEndpoints)
            .WithName("GetEndpoint")
            .WithSummary("Get an endpoint")
            .Produces<EndpointResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/{id}", ReplaceAsync)
            .RequireScope(ApiScopes.ManageEndpoints)
            .WithName("ReplaceEndpoint")
            .WithSummary("Replace an endpoint")
            .WithDescription("Full replacement, same body as create: agent fields left out go back to their defaults. An omitted `isDefault` keeps the current flag; the default endpoint cannot be un-defaulted (make another endpoint the default instead).")
            .WithJsonBody<EndpointWriteRequest>()
            .Produces<EndpointResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapPatch("/{id}", PatchAsync)
            .RequireScope(ApiScopes.ManageEndpoints)
            .WithName("UpdateEndpoint")
            .WithSummary("Update some fields of an endpoint")
            .WithDescription("Top-level merge: each field present replaces the stored one (objects such as `turnDetection` and lists are replaced whole, `null` clears `model` or `greeting`); fields left out are kept.")
            .WithJsonBody<EndpointPatchRequest>()
            .Produces<EndpointResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapDelete("/{id}", DeleteAsync)
            .RequireScope(ApiScopes.ManageEndpoints)
            .WithName("DeleteEndpoint")
            .WithSummary("Delete an endpoint")
            .WithDescription("The team's default endpoint cannot be deleted (409): make another endpoint the default first.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ListAsync(
        HttpContext context,
        IEndpointStore store,
        [Description("1-based page number (default 1).")] string? page,
        [Description("Items per page, 1-100 (default 20).")] string? limit)
    {
        if (!PageRequest.TryParse(page, limit, out var request, out var problem))
        {
            return problem!;
        }

        var caller = ApiCaller.From(context);
        var result = await store.ListEndpointsAsync(caller.TeamId, request.Offset, request.Limit, context.RequestAborted);
        var response = new EndpointListResponse(result.Items.Select(EndpointResponse.From).ToList(), request.Describe(result.Total));
        return Results.Json(response, ApiJsonContext.Default.EndpointListResponse);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IEndpointStore store, TimeProvider time, ILoggerFactory loggers)
    {
        var caller = ApiCaller.From(context);
        var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return problem!;
        }

        var (write, invalid) = EndpointBodyReader.Read(body, existing: null, merge: false);
        if (write is null)
        {
            return invalid!;
        }

        var now = ApiClock.Now(time);
        var endpoint = new AgentEndpoint
        {
            Id = Guid.NewGuid(),
            TeamId = caller.TeamId,
            Name = write.Name,
            IsDefault = write.IsDefault,
            Spec = write.Spec,
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            await store.CreateEndpointAsync(endpoint, context.RequestAborted);
        }
        catch (StoreConflictException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }

        ApiLog.EndpointCreated(loggers.CreateLogger(ApiLog.Category), endpoint.Id, endpoint.Name, caller.KeyPrefix);
        context.Response.Headers.Location = Path + "/" + endpoint.Id.ToString("D");
        return Results.Json(EndpointResponse.From(endpoint), ApiJsonContext.Default.EndpointResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IEndpointStore store, [Description("The endpoint's id (UUID).")] string id)
    {
        var endpoint = await FindAsync(context, store, id);
        return endpoint is null ? NotFound() : Results.Json(EndpointResponse.From(endpoint), ApiJsonContext.Default.EndpointResponse);
    }

    private static Task<IResult> ReplaceAsync(HttpContext context, IEndpointStore store, TimeProvider time, ILoggerFactory loggers,
        [Description("The endpoint's id (UUID).")] string id) =>
        UpdateAsync(context, store, time, loggers, id, merge: false);

    private static Task<IResult> PatchAsync(HttpContext context, IEndpointStore store, TimeProvider time, ILoggerFactory loggers,
        [Description("The endpoint's id (UUID).")] string id) =>
        UpdateAsync(context, store, time, loggers, id, merge: true);

    private static async Task<IResult> UpdateAsync(HttpContext context, IEndpointStore store, TimeProvider time, ILoggerFactory loggers, string id, bool merge)
    {
        var caller = ApiCaller.From(context);
        var existing = await FindAsync(context, store, id);
        if (existing is null)
        {
            return NotFound();
        }

        var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return problem!;
        }

        var (write, invalid) = EndpointBodyReader.Read(body, existing, merge);
        if (write is null)
        {
            return invalid!;
        }

        if (existing.IsDefault && !write.IsDefault)
        {
            return ApiProblems.Conflict("this is the team's default endpoint; make another endpoint the default instead of setting isDefault to false");
        }

        var updated = existing with { Name = write.Name, IsDefault = write.IsDefault, Spec = write.Spec, UpdatedAt = ApiClock.Now(time) };
        try
        {
            if (!await store.UpdateEndpointAsync(updated, context.RequestAborted))
            {
                return NotFound();
            }
        }
        catch (StoreConflictException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }

        ApiLog.EndpointUpdated(loggers.CreateLogger(ApiLog.Category), updated.Id, updated.Name, caller.KeyPrefix);
        return Results.Json(EndpointResponse.From(updated), ApiJsonContext.Default.EndpointResponse);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IEndpointStore store, ILoggerFactory loggers, [Description("The endpoint's id (UUID).")] string id)
    {
        var caller = ApiCaller.From(context);
        var existing = await FindAsync(context, store, id);
        if (existing is null)
        {
            return NotFound();
        }

        if (existing.IsDefault)
        {
            return ApiProblems.Conflict("the team's default endpoint cannot be deleted; make another endpoint the default first");
        }

        if (!await store.DeleteEndpointAsync(caller.TeamId, existing.Id, context.RequestAborted))
        {
            return NotFound();
        }

        ApiLog.EndpointDeleted(loggers.CreateLogger(ApiLog.Category), existing.Id, existing.Name, caller.KeyPrefix);
        return Results.NoContent();
    }

    /// <summary>The caller's endpoint; null for a malformed id, an unknown one or another team's (all 404).</summary>
    private static async Task<AgentEndpoint?> FindAsync(HttpContext context, IEndpointStore store, string id) =>
        Guid.TryParse(id, out var endpointId)
            ? await store.GetEndpointAsync(ApiCaller.From(context).TeamId, endpointId, context.RequestAborted)
            : null;

    private static IResult NotFound() => ApiProblems.NotFound("no such endpoint");
}
