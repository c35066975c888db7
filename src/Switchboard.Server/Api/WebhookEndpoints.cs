using System.ComponentModel;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.Webhooks;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/webhooks</c>: the team's webhook subscriptions (the signing secret is shown once, at creation) and the
/// delivery outbox (list, retry). MANAGE_ENDPOINTS (or ADMIN). Another team's subscription or delivery is a 404.
/// </summary>
internal static class WebhookEndpoints
{
    public const string Path = "/api/v1/webhooks";

    /// <summary>Delivery ids are <c>msg_</c> + 32 hex digits; anything much longer cannot be one.</summary>
    private const int MaxDeliveryIdLength = 128;

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

    private static async Task<IResult> CreateAsync(HttpContext context, IWebhookStore store, IEndpointStore endpoints, TimeProvider time, ILoggerFactory loggers)
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

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var url = request?.Url?.Trim();
        if (WebhookSubscriptionRules.UrlProblem(url) is { } urlProblem)
        {
            errors["url"] = [urlProblem];
        }

        var types = request?.EventTypes;
        if (WebhookSubscriptionRules.EventTypesProblem(types) is { } typesProblem)
        {
            errors["eventTypes"] = [typesProblem];
        }

        if (request?.EndpointId is { } endpointId && await endpoints.GetEndpointAsync(caller.TeamId, endpointId, context.RequestAborted) is null)
        {
            errors["endpointId"] = ["endpointId must be an endpoint of your team"];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var subscription = new WebhookSubscription
        {
            Id = Guid.NewGuid(),
            TeamId = caller.TeamId,
            EndpointId = request!.EndpointId,
            Url = url!,
            EventTypes = WebhookSubscriptionRules.Normalize(types!),
            Secret = WebhookSecret.Generate(),
            CreatedAt = ApiClock.Now(time),
        };
        await store.CreateWebhookSubscriptionAsync(subscription, context.RequestAborted);
        ApiLog.WebhookCreated(loggers.CreateLogger(ApiLog.Category), subscription.Id, new Uri(subscription.Url).GetLeftPart(UriPartial.Authority),
            string.Join(",", subscription.EventTypes), caller.KeyPrefix);
        var created = new CreatedWebhookResponse(subscription.Id, subscription.Url, subscription.EventTypes, subscription.EndpointId, subscription.CreatedAt, subscription.Secret);
        return Results.Json(created, ApiJsonContext.Default.CreatedWebhookResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IWebhookStore store)
    {
        var caller = ApiCaller.From(context);
        var subscriptions = await store.ListWebhookSubscriptionsAsync(caller.TeamId, context.RequestAborted);
        return Results.Json(new WebhookListResponse(subscriptions.Select(WebhookResponse.From).ToList()), ApiJsonContext.Default.WebhookListResponse);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IWebhookStore store, [Description("The subscription's id.")] string id)
    {
        var caller = ApiCaller.From(context);
        var subscription = Guid.TryParse(id, out var webhookId) ? await store.GetWebhookSubscriptionAsync(caller.TeamId, webhookId, context.RequestAborted) : null;
        return subscription is null
            ? ApiProblems.NotFound("no such webhook")
            : Results.Json(WebhookResponse.From(subscription), ApiJsonContext.Default.WebhookResponse);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IWebhookStore store, TimeProvider time, ILoggerFactory loggers, [Description("The subscription's id.")] string id)
    {
        var caller = ApiCaller.From(context);
        if (!Guid.TryParse(id, out var webhookId) || !await store.DeleteWebhookSubscriptionAsync(caller.TeamId, webhookId, ApiClock.Now(time), context.RequestAborted))
        {
            return ApiProblems.NotFound("no such webhook");
        }

        ApiLog.WebhookDeleted(loggers.CreateLogger(ApiLog.Category), webhookId, caller.KeyPrefix);
        return Results.NoContent();
    }

    private static async Task<IResult> ListDeliveriesAsync(
        HttpContext context,
        IWebhookStore store,
        [Description("Only deliveries with this status: pending, delivered or failed.")] string? status,
        [Description("1-based page number (default 1).")] string? page,
        [Description("Items per page, 1-100 (default 20).")] string? limit)
    {
        if (!PageRequest.TryParse(page, limit, out var request, out var problem))
        {
            return problem!;
        }

        if (status is not null && !WebhookDeliveryStatus.All.Contains(status, StringComparer.Ordinal))
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal) { ["status"] = ["status must be pending, delivered or failed"] };
            return ApiProblems.Invalid(errors, "status must be pending, delivered or failed");
        }

        var caller = ApiCaller.From(context);
        var result = await store.ListWebhookDeliveriesAsync(caller.TeamId, status, request.Offset, request.Limit, context.RequestAborted);
        var response = new WebhookDeliveryListResponse(result.Items.Select(WebhookDeliveryResponse.From).ToList(), request.Describe(result.Total));
        return Results.Json(response, ApiJsonContext.Default.WebhookDeliveryListResponse);
    }

    private static async Task<IResult> RetryAsync(HttpContext context, IWebhookStore store, TimeProvider time, ILoggerFactory loggers, [Description("The delivery's id (msg_…).")] string id)
    {
        var caller = ApiCaller.From(context);
        var result = id.Length <= MaxDeliveryIdLength
            ? await store.RetryWebhookDeliveryAsync(caller.TeamId, id, ApiClock.Now(time), context.RequestAborted)
            : DeliveryRetryResult.NotFound;
        switch (result)
        {
            case DeliveryRetryResult.NotFound:
                return ApiProblems.NotFound("no such delivery");
            case DeliveryRetryResult.AlreadyDelivered:
                return ApiProblems.Conflict("the delivery was already delivered");
            case DeliveryRetryResult.SubscriptionDeleted:
                return ApiProblems.Conflict("the delivery's webhook was deleted");
        }

        ApiLog.WebhookRetried(loggers.CreateLogger(ApiLog.Category), id, caller.KeyPrefix);
        var delivery = await store.GetWebhookDeliveryAsync(caller.TeamId, id, context.RequestAborted);
        return delivery is null
            ? ApiProblems.NotFound("no such delivery")
            : Results.Json(WebhookDeliveryResponse.From(delivery), ApiJsonContext.Default.WebhookDeliveryResponse);
    }
}
