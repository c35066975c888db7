using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Server.RateLimiting;
using Switchboard.SipConnector;
using Switchboard.Webhooks;

namespace Switchboard.Server.SipConnector;

/// <summary>
/// The OpenAI (and Azure OpenAI) Realtime SIP connector's webhook. In order: (1) the raw body, capped; (2) the Standard
/// Webhooks signature over it (400 when a header is missing or malformed, 401 when it does not match or is stale; nothing
/// else happens); (3) the event (anything but <c>realtime.call.incoming</c> is acknowledged and ignored); (4) a redelivered
/// webhook id or call id is acknowledged and ignored; (5) the call starts in the background and the webhook is answered 200
/// at once. Admission, the accept or reject, and the sideband belong to the call.
/// </summary>
internal static partial class SipWebhookEndpoints
{
    public const string WebhookPath = "/openai/webhook";

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost(WebhookPath, WebhookAsync).DisableAntiforgery().WithTags("Carriers")
            .WithSummary("OpenAI / Azure Realtime SIP connector webhook")
            .WithDescription("Register as the project's webhook for `realtime.call.incoming` (optionally with `?endpointId=` to pick the endpoint). " +
                "Verifies the Standard Webhooks signature with `OPENAI_WEBHOOK_SECRET`, answers 200 at once and accepts (or rejects) the call in the background. " +
                "Redelivered webhooks and other event types are acknowledged and ignored. See docs/sip.md.")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .RequireClientRateLimit(RateLimitBucket.CarriersPerIp);

    private static async Task<IResult> WebhookAsync(HttpContext context, IOptions<SwitchboardOptions> options, SipCalls calls, SipWebhookDeduplicator deduplicator,
        ISipCallControl control, TimeProvider time, ILogger<SipCalls> logger)
    {
        var sip = options.Value.Sip;
        var cancellationToken = context.RequestAborted;

        // (1) The raw body: the signature covers these exact bytes.
        var body = await ReadCappedAsync(context.Request, sip.MaxWebhookBytes, cancellationToken);
        if (body is null)
        {
            LogRefused(logger, "body too large");
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Webhook too large",
                detail: $"The body exceeds Switchboard:Sip:MaxWebhookBytes ({sip.MaxWebhookBytes} bytes).");
        }

        // (2) The signature.
        var headers = context.Request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())).ToList();
        if (sip.InsecureSkipSignature)
        {
            LogInsecure(logger);
        }
        else if (string.IsNullOrEmpty(sip.WebhookSecret))
        {
            LogRefused(logger, "no webhook secret configured");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "SIP connector webhooks are not configured",
                detail: "Set OPENAI_WEBHOOK_SECRET (Switchboard:Sip:WebhookSecret) to the webhook endpoint's signing secret.");
        }
        else
        {
            var verification = StandardWebhooks.Verify(sip.WebhookSecret, headers, body, time.GetUtcNow());
            if (verification != WebhookVerification.Verified)
            {
                LogRefused(logger, verification.ToString());
                var malformed = verification is WebhookVerification.MissingId or WebhookVerification.MissingTimestamp or WebhookVerification.MissingSignature
                    or WebhookVerification.MalformedTimestamp or WebhookVerification.MalformedSignature;
                return Results.Problem(statusCode: malformed ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized,
                    title: "Invalid webhook signature", detail: Explain(verification));
            }
        }

        // (3) The event.
        if (!SipWebhookEvents.TryParse(body, out var incoming, out var problem))
        {
            LogRefused(logger, problem ?? "unreadable event");
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid webhook event", detail: problem);
        }

        if (!incoming!.IsIncomingCall)
        {
            LogIgnored(logger, incoming.Type);
            return Results.Ok();
        }

        // (4) Redeliveries: the webhook id is the idempotency key (the event id stands in when a test sends none), the call id too.
        var webhookId = WebhookHeaders.Find(headers, StandardWebhooks.IdHeader) is { Length: > 0 } id ? id : incoming.Id is { Length: > 0 } eventId ? eventId : incoming.CallId!;
        var callId = incoming.CallId!;
        if (!await deduplicator.IsFirstAsync(webhookId, callId, cancellationToken))
        {
            LogDuplicate(logger, callId);
            return Results.Ok();
        }

        // (5) The call runs on its own; the endpoint may be named on the webhook URL (checked by admission like any call's).
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Request.Query["endpointId"].ToString() is { Length: > 0 } endpointId)
        {
            parameters["endpointId"] = endpointId;
        }

        LogCall(logger, callId, incoming.SipHeaders.Count);
        calls.Start(new SipConnectorLeg(incoming, webhookId, parameters, control));
        return Results.Ok();
    }

    /// <summary>The body, or null when it is longer than <paramref name="max"/> bytes.</summary>
    private static async Task<byte[]?> ReadCappedAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Explain(WebhookVerification verification) => verification switch
    {
        WebhookVerification.MissingId => "webhook-id is missing.",
        WebhookVerification.MissingTimestamp => "webhook-timestamp is missing.",
        WebhookVerification.MissingSignature => "webhook-signature is missing.",
        WebhookVerification.MalformedTimestamp => "webhook-timestamp is not Unix seconds.",
        WebhookVerification.MalformedSignature => "webhook-signature holds no v1 signature.",
        WebhookVerification.TimestampTooOld or WebhookVerification.TimestampTooNew => "webhook-timestamp is more than 5 minutes from this gateway's clock.",
        WebhookVerification.InvalidKey => "The configured webhook secret is unusable; check OPENAI_WEBHOOK_SECRET.",
        _ => "The signature does not match this body; check OPENAI_WEBHOOK_SECRET.",
    };

    [LoggerMessage(EventId = EventIds.SipWebhookRefused, Level = LogLevel.Warning, Message = "Refused SIP connector webhook: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = EventIds.SipWebhookDuplicate, Level = LogLevel.Information, Message = "SIP call {SipCallId}: webhook redelivered; acknowledged, nothing done")]
    private static partial void LogDuplicate(ILogger logger, string sipCallId);

    [LoggerMessage(EventId = EventIds.SipWebhookIgnored, Level = LogLevel.Information, Message = "SIP connector webhook of type {Type} acknowledged and ignored")]
    private static partial void LogIgnored(ILogger logger, string type);

    [LoggerMessage(EventId = EventIds.SipWebhookCall, Level = LogLevel.Information, Message = "SIP call {SipCallId} incoming ({HeaderCount} SIP headers)")]
    private static partial void LogCall(ILogger logger, string sipCallId, int headerCount);

    [LoggerMessage(EventId = EventIds.SipWebhookInsecure, Level = LogLevel.Warning, Message = "SIP connector webhook taken WITHOUT a signature check (Switchboard:Sip:InsecureSkipSignature / TEST_MODE): development only")]
    private static partial void LogInsecure(ILogger logger);
}
