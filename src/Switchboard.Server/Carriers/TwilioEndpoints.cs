using System.Security;
using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Carriers;
using Switchboard.Carriers.Twilio;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Server.Hosting;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Server.Carriers;

/// <summary>Twilio: the TwiML webhook that connects a call to the media stream, and the media stream itself.</summary>
internal static partial class TwilioEndpoints
{
    public const string TwimlPath = "/twilio/twiml";
    public const string StreamPath = "/twilio";

    /// <summary>The TwiML route multi-tenant Twilio voice servers use (<c>?orgId=</c>): an alias of <see cref="TwimlPath"/>.</summary>
    public const string OrgTwimlPath = "/twiml/start";

    /// <summary>Their media stream route (<c>?orgId=&amp;callSid=&amp;from=</c>): an alias of <see cref="StreamPath"/>.</summary>
    public const string OrgStreamPath = "/ws/twilio";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(TwimlPath, TwimlAsync).DisableAntiforgery().WithTags("Carriers")
            .WithSummary("Twilio voice webhook")
            .WithDescription("Set as the phone number's \"A call comes in\" webhook (HTTP POST, form-encoded), optionally with `?endpointId=` to pick the endpoint. Answers with TwiML that connects the call to the `/twilio` media stream. Checks `X-Twilio-Signature` when `TWILIO_AUTH_TOKEN` is set (403 otherwise).")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .RequireClientRateLimit(RateLimitBucket.CarriersPerIp);
        routes.Map(StreamPath, StreamAsync).RequireClientRateLimit(RateLimitBucket.CarriersPerIp);
        routes.MapPost(OrgTwimlPath, OrgTwimlAsync).DisableAntiforgery().WithTags("Carriers")
            .WithSummary("Twilio voice webhook, by org id")
            .WithDescription("As `/twilio/twiml`, for servers that route by `?orgId=`: the org id is an endpoint's `externalId` in the default team. 404 when no endpoint has it.")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireClientRateLimit(RateLimitBucket.CarriersPerIp);
        routes.Map(OrgStreamPath, OrgStreamAsync).RequireClientRateLimit(RateLimitBucket.CarriersPerIp);
    }

    /// <summary>
    /// The endpoint an org id names: the default team's endpoint with that <c>externalId</c>. Only the default team is
    /// searched, so a request that anyone can make (an unsigned webhook or stream) can reach the operator's own orgs and
    /// never another team's endpoint.
    /// </summary>
    private static async Task<Agents.AgentEndpoint?> OrgEndpointAsync(HttpContext context, IEndpointStore store, Control.ControlPlaneState state) =>
        context.Request.Query["orgId"].ToString() is { Length: > 0 } orgId
            ? await store.FindEndpointByExternalIdAsync(state.Bootstrap.DefaultTeam.Id, orgId, context.RequestAborted)
            : null;

    private static IResult UnknownOrg() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown orgId",
        detail: "No endpoint of the default team has this externalId (set it with PATCH /api/v1/endpoints/{id} {\"externalId\": \"…\"}).");

    private static async Task<IResult> OrgTwimlAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallAdmission admission,
        Sessions.SessionTokenSource keys, ILogger<TwilioProtocol> logger, IEndpointStore store, Control.ControlPlaneState state)
    {
        if (await OrgEndpointAsync(context, store, state) is not { } endpoint)
        {
            return UnknownOrg();
        }

        return await TwimlForAsync(context, options, admission, keys, logger, endpoint.Id.ToString("D"), endpointResolved: true);
    }

    private static async Task OrgStreamAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallHost calls, ICarrierCallControl callControl,
        TimeProvider time, ILogger<TwilioProtocol> logger, ILogger<CallBridge> callLogger, IEndpointStore store, Control.ControlPlaneState state,
        Sessions.SessionTokenSource keys)
    {
        if (await OrgEndpointAsync(context, store, state) is not { } endpoint)
        {
            await UnknownOrg().ExecuteAsync(context);
            return;
        }

        // The org's endpoint, bound the way the gateway's own TwiML binds it; callSid and from fill what Twilio's start lacks.
        var token = EndpointBinding.Issue(await keys.GetEndpointBindingKeyAsync(context.RequestAborted), endpoint.Id);
        var orgId = context.Request.Query["orgId"].ToString();
        var callSid = context.Request.Query["callSid"].ToString();
        var from = context.Request.Query["from"].ToString();
        CallStartInfo Amend(CallStartInfo start)
        {
            var parameters = new Dictionary<string, string>(start.Parameters, StringComparer.Ordinal)
            {
                ["endpointId"] = endpoint.Id.ToString("D"),
                [EndpointBinding.TokenParameter] = token,
                ["orgId"] = orgId,
            };
            return start with
            {
                Parameters = parameters,
                CarrierCallId = start.CarrierCallId ?? (callSid.Length > 0 ? callSid : null),
                From = start.From ?? (from.Length > 0 ? from : null),
            };
        }

        await RunStreamAsync(context, options, calls, callControl, time, logger, callLogger, Amend);
    }

    private static Task<IResult> TwimlAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallAdmission admission,
        Sessions.SessionTokenSource keys, ILogger<TwilioProtocol> logger) =>
        TwimlForAsync(context, options, admission, keys, logger, context.Request.Query["endpointId"].ToString(), endpointResolved: false);

    /// <summary>
    /// The TwiML for a call on <paramref name="endpointId"/> (empty: the usual resolution). <paramref name="endpointResolved"/>:
    /// the gateway found the endpoint itself (an org id), so no <c>endpointToken</c> is asked of the request.
    /// </summary>
    private static async Task<IResult> TwimlForAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallAdmission admission,
        Sessions.SessionTokenSource keys, ILogger<TwilioProtocol> logger, string endpointId, bool endpointResolved)
    {
        var o = options.Value;
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : FormCollection.Empty;
        if (!string.IsNullOrEmpty(o.Twilio.AuthToken))
        {
            var url = PublicUrl.For(context.Request, o, webSocket: false);
            var parameters = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? "")));
            if (!TwilioSignature.IsValid(o.Twilio.AuthToken, context.Request.Headers["X-Twilio-Signature"], url, parameters))
            {
                LogBadSignature(logger, TwimlPath);
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Invalid Twilio signature",
                    detail: "X-Twilio-Signature does not match this request; check TWILIO_AUTH_TOKEN and Switchboard:PublicBaseUrl behind a proxy.");
            }
        }

        // The webhook URL configured on the number may name the agent: /twilio/twiml?endpointId=<uuid>.
        if (endpointId.Length > 0 && !Guid.TryParse(endpointId, out _))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid endpointId",
                detail: "endpointId must be an endpoint's UUID (see GET /api/v1/endpoints).");
        }

        // Unsigned (no auth token), this webhook could be anyone: an endpointId must then bring the token its owner got from
        // the API, or the TwiML would hand out tokens for any team's endpoint. Signed, the URL is the operator's own.
        string? endpointToken = null;
        if (endpointId.Length > 0)
        {
            var key = await keys.GetEndpointBindingKeyAsync(context.RequestAborted);
            endpointToken = context.Request.Query[EndpointBinding.TokenParameter].ToString();
            if (string.IsNullOrEmpty(o.Twilio.AuthToken) && !endpointResolved)
            {
                if (!EndpointBinding.Verify(key, Guid.Parse(endpointId), endpointToken))
                {
                    return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "endpointId is not bound",
                        detail: "Without TWILIO_AUTH_TOKEN this webhook is unsigned, so ?endpointId= needs its &endpointToken= (GET /api/v1/endpoints/{id}/stream-parameters gives the whole URL).");
                }
            }
            else
            {
                endpointToken = EndpointBinding.Issue(key, Guid.Parse(endpointId));
            }
        }

        // The limits refuse here, before Twilio opens a stream (the stream's own admission still checks, for calls that come anyway).
        var start = new CallStartInfo
        {
            CarrierCallId = Form(form, "CallSid"),
            From = Form(form, "From"),
            To = Form(form, "To"),
            Parameters = endpointId.Length > 0 ? new Dictionary<string, string>(StringComparer.Ordinal) { ["endpointId"] = endpointId } : new Dictionary<string, string>(),
            // Checked just above (signed request, or the endpoint's token).
            ParametersSigned = true,
        };
        if (await admission.PreflightAsync(Transports.Twilio, start, context.RequestAborted) is not null)
        {
            var refused = o.Twilio.RefuseWith == "reject"
                ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Reject reason=\"busy\"/></Response>"
                : "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" + SecurityElement.Escape(o.Twilio.BusyMessage) + "</Say><Hangup/></Response>";
            return Results.Text(refused, "text/xml", Encoding.UTF8);
        }

        var streamUrl = PublicUrl.WebSocketUrl(context.Request, o, StreamPath);
        var twiml = new StringBuilder();
        twiml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect><Stream url=\"").Append(SecurityElement.Escape(streamUrl)).Append("\">");
        // <Stream url> takes no query string: call context travels as <Parameter>s into start.customParameters.
        foreach (var name in new[] { "CallSid", "From", "To", "Direction" })
        {
            if (form.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                twiml.Append("<Parameter name=\"").Append(name).Append("\" value=\"").Append(SecurityElement.Escape(value.ToString())).Append("\"/>");
            }
        }

        if (endpointId.Length > 0)
        {
            // The token binds the id to this gateway: a stream Twilio did not sign may only name an endpoint with it.
            var token = endpointToken!;
            twiml.Append("<Parameter name=\"endpointId\" value=\"").Append(endpointId).Append("\"/>");
            twiml.Append("<Parameter name=\"").Append(EndpointBinding.TokenParameter).Append("\" value=\"").Append(token).Append("\"/>");
            if (endpointResolved && context.Request.Query["orgId"].ToString() is { Length: > 0 } orgId)
            {
                // Kept as the call's metadata, so the org's own systems can match the call.
                twiml.Append("<Parameter name=\"orgId\" value=\"").Append(SecurityElement.Escape(orgId)).Append("\"/>");
            }
        }

        twiml.Append("</Stream></Connect></Response>");
        return Results.Text(twiml.ToString(), "text/xml", Encoding.UTF8);
    }

    private static string? Form(IFormCollection form, string name) => form.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    private static Task StreamAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallHost calls, ICarrierCallControl callControl, TimeProvider time,
        ILogger<TwilioProtocol> logger, ILogger<CallBridge> callLogger) =>
        RunStreamAsync(context, options, calls, callControl, time, logger, callLogger, null);

    private static async Task RunStreamAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallHost calls, ICarrierCallControl callControl, TimeProvider time,
        ILogger<TwilioProtocol> logger, ILogger<CallBridge> callLogger, Func<CallStartInfo, CallStartInfo>? amendStart)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected",
                detail: "This is the Twilio Media Streams endpoint; point <Connect><Stream url> at it.").ExecuteAsync(context);
            return;
        }

        var o = options.Value;
        if (!string.IsNullOrEmpty(o.Twilio.AuthToken))
        {
            var url = PublicUrl.For(context.Request, o, webSocket: true);
            if (!TwilioSignature.IsValid(o.Twilio.AuthToken, context.Request.Headers["X-Twilio-Signature"], url))
            {
                LogBadSignature(logger, StreamPath);
                await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Invalid Twilio signature",
                    detail: "The WebSocket upgrade's X-Twilio-Signature does not match.").ExecuteAsync(context);
                return;
            }
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        // With an auth token the upgrade was signed (checked above), so the start's parameters are the gateway's own TwiML's.
        await calls.RunAsync(new CarrierLeg(socket, new TwilioProtocol(), callControl, options.Value.Bridge, time, callLogger,
            signedUpgrade: !string.IsNullOrEmpty(o.Twilio.AuthToken), amendStart: amendStart), context.RequestAborted);
    }

    [LoggerMessage(EventId = EventIds.TwilioBadSignature, Level = LogLevel.Warning, Message = "Rejected request to {Path}: invalid X-Twilio-Signature")]
    private static partial void LogBadSignature(ILogger logger, string path);
}
