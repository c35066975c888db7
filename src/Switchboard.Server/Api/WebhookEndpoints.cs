using System.ComponentModel;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.Transport;
using Switchboard.Webhooks;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/webhooks</c>: the team's webhook subscriptions (the signing secret is shown once, at creation) and the
/// delivery outbox (list, retry). MANAGE_ENDPOINTS (or ADMIN). Another team's subscription or delivery is a 404.
/// The rules (URL, event types, endpoint filter, secret, retry) are <see cref="WebhookAdmin"/>'s, shared with the CLI.
/// </summary>
internal static class WebhookEndpoints
{
    public const string Path = "/api/v1/webhooks";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Path).WithTags("Webhooks").RequireScope(ApiScopes.ManageEndpoints);

        group.MapPost("", CreateAsync)
            .WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to events")
            .WithDescription("Creates a subscription for the caller's team (or one endpoint of it). The response's `secret` (`whsec_…`) verifies the Standard Webhooks signature of every delivery: it is shown once and never returned again.")
            .WithJsonBody<CreateWebhookRequest>()
            .Produces<CreatedWebhookResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("", ListAsync)
            .WithName("ListWebhooks")
            .WithSummary("List webhook subscriptions")
            .WithDescription("The team's subscriptions, oldest first. Never the secrets.")
            .Produces<WebhookListResponse>();

        group.MapGet("/deliveries", ListDeliveriesAsync)
            .WithName("ListWebhookDeliveries")
            .WithSummary("List webhook deliveries")
            .WithDescription("The team's deliveries, newest first, one page at a time, optionally only those with one status (`pending`, `delivered`, `failed`).")
            .Produces<WebhookDeliveryListResponse>()
            .ProducesValidationProblem();

        group.MapPost("/deliveries/{id}/retry", RetryAsync)
            .WithName("RetryWebhookDelivery")
            .WithSummary("Retry a webhook delivery now")
            .WithDescription("Makes a pending or failed delivery due at once (same `webhook-id`, same body). A failed delivery gets one more attempt. A delivered one, or one whose subscription was deleted, is a 409.")
            .Produces<WebhookDeliveryResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{id}", GetAsync)
            .WithName("GetWebhook")
            .WithSummary("Get a webhook subscription")
            .Produces<WebhookResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteWebhook")
            .WithSummary("Delete a webhook subscription")
            .WithDescription("Stops deliveries at once: its pending deliveries are marked failed (`subscription deleted`). Delivery history is kept.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, WebhookAdmin admin, ILoggerFactory loggers)
    {
        var caller = ApiCaller.From(context);
        var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return problem!;
        }

        CreateWebhookRequest? request;
        try
        {
            request = body.Deserialize(ApiJsonContext.Default.CreateWebhookRequest);
        }
        catch (JsonException ex)
        {
            var (field, message) = JsonErrorText.Mapping(ex, ApiJsonContext.Default.CreateWebhookRequest);
            return ApiProblems.InvalidField(field, message);
        }

        var result = await admin.CreateAsync(caller.TeamId, request?.Url, request?.EventTypes, request?.EndpointId, context.RequestAborted);
        if (!result.Succeeded(out var subscription, out var error))
        {
            return ApiProblems.From(error);
        }

        ApiLog.WebhookCreated(loggers.CreateLogger(ApiLog.Category), subscription.Id, new Uri(subscription.Url).GetLeftPart(UriPartial.Authority),
            string.Join(",", subscription.EventTypes), caller.KeyPrefix);
        return Results.Json(CreatedWebhookResponse.From(subscription), ApiJsonContext.Default.CreatedWebhookResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, WebhookAdmin admin)
    {
        var caller = ApiCaller.From(context);
        var subscriptions = await admin.ListAsync(caller.TeamId, context.RequestAborted);
        return Results.Json(new WebhookListResponse(subscriptions.Select(WebhookResponse.From).ToList()), ApiJsonContext.Default.WebhookListResponse);
    }

    private static async Task<IResult> GetAsync(HttpContext context, WebhookAdmin admin, [Description("The subscription's id.")] string id)
    {
        var subscription = await admin.GetAsync(ApiCaller.From(context).TeamId, id, context.RequestAborted);
        return subscription is null
            ? ApiProblems.From(WebhookAdmin.NotFound())
            : Results.Json(WebhookResponse.From(subscription), ApiJsonContext.Default.WebhookResponse);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, WebhookAdmin admin, ILoggerFactory loggers, [Description("The subscription's id.")] string id)
    {
        var caller = ApiCaller.From(context);
        if (!(await admin.DeleteAsync(caller.TeamId, id, context.RequestAborted)).Succeeded(out var deleted, out var error))
        {
            return ApiProblems.From(error);
        }

        ApiLog.WebhookDeleted(loggers.CreateLogger(ApiLog.Category), deleted.Id, caller.KeyPrefix);
        return Results.NoContent();
    }

    private static async Task<IResult> ListDeliveriesAsync(
        HttpContext context,
        WebhookAdmin admin,
        [Description("Only deliveries with this status: pending, delivered or failed.")] string? status,
        [Description("1-based page number (default 1).")] string? page,
        [Description("Items per page, 1-100 (default 20).")] string? limit)
    {
        if (!PageQuery.TryParse(page, limit, out var request, out var problem))
        {
            return problem!;
        }

        var caller = ApiCaller.From(context);
        if (!(await admin.ListDeliveriesAsync(caller.TeamId, status, request, context.RequestAborted)).Succeeded(out var result, out var error))
        {
            return ApiProblems.From(error, summarize: true);
        }

        var response = new WebhookDeliveryListResponse(result.Items.Select(WebhookDeliveryResponse.From).ToList(), PaginationInfo.For(request, result.Total));
        return Results.Json(response, ApiJsonContext.Default.WebhookDeliveryListResponse);
    }

    private static async Task<IResult> RetryAsync(HttpContext context, WebhookAdmin admin, ILoggerFactory loggers, [Description("The delivery's id (msg_…).")] string id)
    {
        var caller = ApiCaller.From(context);
        if (!(await admin.RetryDeliveryAsync(caller.TeamId, id, context.RequestAborted)).Succeeded(out var delivery, out var error))
        {
            return ApiProblems.From(error);
        }

        ApiLog.WebhookRetried(loggers.CreateLogger(ApiLog.Category), id, caller.KeyPrefix);
        return Results.Json(WebhookDeliveryResponse.From(delivery), ApiJsonContext.Default.WebhookDeliveryResponse);
    }
}
