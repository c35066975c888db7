using Microsoft.Extensions.Options;
using Switchboard.Carriers;
using Switchboard.Configuration;
using System.ComponentModel;
using Switchboard.Agents;
using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/endpoints</c>: the team's agent endpoints. Reading needs READ_TEAM_APPS or MANAGE_ENDPOINTS,
/// writing MANAGE_ENDPOINTS. Every request reads the store, so a deleted endpoint is gone at once. The rules
/// (validation, unique names and numbers, the default endpoint) are <see cref="EndpointAdmin"/>'s, shared with the CLI.
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

        group.MapGet("/{id}/stream-parameters", GetStreamParametersAsync)
            .RequireAnyScope(ApiScopes.ReadTeamApps, ApiScopes.ManageEndpoints)
            .WithName("GetEndpointStreamParameters")
            .WithSummary("Get the parameters that let a carrier stream run on this endpoint")
            .WithDescription("A stream whose upgrade the carrier does not sign (Telnyx; Twilio without `TWILIO_AUTH_TOKEN`; your own TwiML) may only name an endpoint with its gateway-issued `endpointToken` beside `endpointId`, so nobody can route callers to another team's agent. Returns both, as TwiML `<Parameter>` elements and as a Telnyx `client_state`. The gateway's own TwiML (`/twilio/twiml?endpointId=`) adds them by itself. See docs/security.md.")
            .Produces<StreamParametersResponse>()
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
        EndpointAdmin admin,
        [Description("1-based page number (default 1).")] string? page,
        [Description("Items per page, 1-100 (default 20).")] string? limit)
    {
        if (!PageQuery.TryParse(page, limit, out var request, out var problem))
        {
            return problem!;
        }

        var caller = ApiCaller.From(context);
        var result = await admin.ListAsync(caller.TeamId, request, context.RequestAborted);
        var response = new EndpointListResponse(result.Items.Select(EndpointResponse.From).ToList(), PaginationInfo.For(request, result.Total));
        return Results.Json(response, ApiJsonContext.Default.EndpointListResponse);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, EndpointAdmin admin, ILoggerFactory loggers)
    {
        var caller = ApiCaller.From(context);
        var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return problem!;
        }

        if (!(await admin.CreateAsync(caller.TeamId, body, context.RequestAborted)).Succeeded(out var endpoint, out var error))
        {
            return ApiProblems.From(error, summarize: true);
        }

        ApiLog.EndpointCreated(loggers.CreateLogger(ApiLog.Category), endpoint.Id, endpoint.Name, caller.KeyPrefix);
        context.Response.Headers.Location = Path + "/" + endpoint.Id.ToString("D");
        return Results.Json(EndpointResponse.From(endpoint), ApiJsonContext.Default.EndpointResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, EndpointAdmin admin, [Description("The endpoint's id (UUID).")] string id)
    {
        var endpoint = await admin.GetAsync(ApiCaller.From(context).TeamId, id, context.RequestAborted);
        return endpoint is null ? NotFound() : Results.Json(EndpointResponse.From(endpoint), ApiJsonContext.Default.EndpointResponse);
    }

    private static async Task<IResult> GetStreamParametersAsync(HttpContext context, EndpointAdmin admin, Sessions.SessionTokenSource keys, IOptions<SwitchboardOptions> options,
        [Description("The endpoint's id (UUID).")] string id)
    {
        var endpoint = await admin.GetAsync(ApiCaller.From(context).TeamId, id, context.RequestAborted);
        if (endpoint is null)
        {
            return NotFound();
        }

        var token = EndpointBinding.Issue(await keys.GetEndpointBindingKeyAsync(context.RequestAborted), endpoint.Id);
        var twiml = $"<Parameter name=\"endpointId\" value=\"{endpoint.Id:D}\"/><Parameter name=\"{EndpointBinding.TokenParameter}\" value=\"{token}\"/>";
        var state = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{{\"endpointId\":\"{endpoint.Id:D}\",\"{EndpointBinding.TokenParameter}\":\"{token}\"}}"));
        var webhook = Hosting.PublicUrl.HttpUrl(context.Request, options.Value,
            $"{Carriers.TwilioEndpoints.TwimlPath}?endpointId={endpoint.Id:D}&{EndpointBinding.TokenParameter}={token}");
        return Results.Json(new StreamParametersResponse(endpoint.Id, token, twiml, state, webhook), ApiJsonContext.Default.StreamParametersResponse);
    }

    private static Task<IResult> ReplaceAsync(HttpContext context, EndpointAdmin admin, ILoggerFactory loggers,
        [Description("The endpoint's id (UUID).")] string id) =>
        UpdateAsync(context, admin, loggers, id, merge: false);

    private static Task<IResult> PatchAsync(HttpContext context, EndpointAdmin admin, ILoggerFactory loggers,
        [Description("The endpoint's id (UUID).")] string id) =>
        UpdateAsync(context, admin, loggers, id, merge: true);

    private static async Task<IResult> UpdateAsync(HttpContext context, EndpointAdmin admin, ILoggerFactory loggers, string id, bool merge)
    {
        var caller = ApiCaller.From(context);
        var existing = await admin.GetAsync(caller.TeamId, id, context.RequestAborted);
        if (existing is null)
        {
            return NotFound();
        }

        var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return problem!;
        }

        if (!(await admin.UpdateAsync(existing, body, merge, context.RequestAborted)).Succeeded(out var updated, out var error))
        {
            return ApiProblems.From(error, summarize: true);
        }

        ApiLog.EndpointUpdated(loggers.CreateLogger(ApiLog.Category), updated.Id, updated.Name, caller.KeyPrefix);
        return Results.Json(EndpointResponse.From(updated), ApiJsonContext.Default.EndpointResponse);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, EndpointAdmin admin, ILoggerFactory loggers, [Description("The endpoint's id (UUID).")] string id)
    {
        var caller = ApiCaller.From(context);
        var existing = await admin.GetAsync(caller.TeamId, id, context.RequestAborted);
        if (existing is null)
        {
            return NotFound();
        }

        if (!(await admin.DeleteAsync(existing, context.RequestAborted)).Succeeded(out _, out var error))
        {
            return ApiProblems.From(error);
        }

        ApiLog.EndpointDeleted(loggers.CreateLogger(ApiLog.Category), existing.Id, existing.Name, caller.KeyPrefix);
        return Results.NoContent();
    }

    private static IResult NotFound() => ApiProblems.From(EndpointAdmin.NotFound());
}
