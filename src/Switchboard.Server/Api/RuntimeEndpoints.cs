using Switchboard.Carriers;
using System.ComponentModel;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Server.Carriers;
using Switchboard.Server.Hosting;
using Switchboard.Server.Sessions;
using Switchboard.Server.SipConnector;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>GET /api/v1/runtime?endpointId=</c>: what a client needs to talk to an endpoint — its interaction modes
/// (and which this gateway runs today), the URLs of the transports it allows, its flows and browser actions.
/// URLs use <c>Switchboard:PublicBaseUrl</c> when set, else the request's own scheme and host.
/// </summary>
internal static class RuntimeEndpoints
{
    public const string Path = "/api/v1/runtime";

    /// <summary>The entry point every endpoint has: its own greeting and instructions.</summary>
    public const string DefaultFlow = "default";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, GetAsync)
            .WithTags("Runtime")
            .RequireAnyScope(ApiScopes.CreateCallToken, ApiScopes.ReadTeamApps)
            .WithName("GetRuntime")
            .WithSummary("Discover how to talk to an endpoint")
            .WithDescription("Interaction modes the endpoint allows (each `available` when this gateway runs it: all five today), the URLs of its allowed transports, its flows (entry points, always including `default`) and its browser actions.")
            .Produces<RuntimeResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IEndpointStore store, IOptions<SwitchboardOptions> options, Sessions.SessionTokenSource keys,
        [Description("The endpoint to describe (UUID).")] string? endpointId)
    {
        if (string.IsNullOrEmpty(endpointId) || !Guid.TryParse(endpointId, out var id))
        {
            var message = string.IsNullOrEmpty(endpointId)
                ? "endpointId is required (the endpoint's UUID)"
                : $"endpointId must be a UUID (got '{(endpointId.Length <= 40 ? endpointId : endpointId[..40] + "…")}')";
            return ApiProblems.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["endpointId"] = [message] }, message);
        }

        var caller = ApiCaller.From(context);
        var endpoint = await store.GetEndpointAsync(caller.TeamId, id, context.RequestAborted);
        if (endpoint is null)
        {
            return ApiProblems.NotFound("no such endpoint");
        }

        var spec = endpoint.Spec;
        var allowedModes = spec.Modes ?? InteractionModes.All;
        var modes = InteractionModes.All
            .Where(m => allowedModes.Contains(m, StringComparer.Ordinal))
            .Select(m => new RuntimeMode(m, InteractionModes.Implemented.Contains(m, StringComparer.Ordinal)))
            .ToList();

        var token = EndpointBinding.Issue(await keys.GetEndpointBindingKeyAsync(context.RequestAborted), endpoint.Id);
        var response = new RuntimeResponse(endpoint.Id, endpoint.Name, modes, TransportsFor(endpoint, token, context.Request, options.Value),
            FlowsFor(spec), spec.BrowserActions ?? []);
        return Results.Json(response, ApiJsonContext.Default.RuntimeResponse);
    }

    private static List<RuntimeTransport> TransportsFor(AgentEndpoint endpoint, string endpointToken, HttpRequest request, SwitchboardOptions options)
    {
        var allowed = endpoint.Spec.Carriers ?? Transports.All;
        var result = new List<RuntimeTransport>();
        foreach (var transport in Transports.All.Where(t => allowed.Contains(t, StringComparer.Ordinal)))
        {
            result.Add(transport switch
            {
                Transports.WebSocket => new RuntimeTransport
                {
                    Type = transport,
                    Url = PublicUrl.WebSocketUrl(request, options, SessionEndpoints.SocketPath),
                    SessionsUrl = PublicUrl.HttpUrl(request, options, SessionEndpoints.CreatePath),
                },
                Transports.Twilio => new RuntimeTransport
                {
                    Type = transport,
                    // With its token: an unsigned TwiML webhook accepts an endpointId only with it (docs/security.md).
                    TwimlUrl = PublicUrl.HttpUrl(request, options, TwilioEndpoints.TwimlPath + "?endpointId=" + endpoint.Id.ToString("D")
                        + "&" + EndpointBinding.TokenParameter + "=" + endpointToken),
                    StreamUrl = PublicUrl.WebSocketUrl(request, options, TwilioEndpoints.StreamPath),
                },
                Transports.Sip => new RuntimeTransport
                {
                    Type = transport,
                    WebhookUrl = PublicUrl.HttpUrl(request, options, SipWebhookEndpoints.WebhookPath + "?endpointId=" + endpoint.Id.ToString("D")),
                },
                _ => new RuntimeTransport { Type = transport, StreamUrl = PublicUrl.WebSocketUrl(request, options, TelnyxEndpoints.StreamPath) },
            });
        }

        return result;
    }

    private static List<RuntimeFlow> FlowsFor(AgentSpec spec)
    {
        var flows = (spec.Flows ?? []).Select(f => new RuntimeFlow(f.Name, f.Description)).ToList();
        if (!flows.Any(f => f.Name == DefaultFlow))
        {
            flows.Insert(0, new RuntimeFlow(DefaultFlow, "Start with the endpoint's own greeting and instructions."));
        }

        return flows;
    }
}
