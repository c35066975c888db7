using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Server.Api;
using Switchboard.Server.Control;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Server.Sessions;

/// <summary>
/// Keyless sessions for the talk page at <c>/</c>: <c>GET /demo/config</c> says whether they are on and which endpoint
/// they use (the default team's default endpoint); <c>POST /demo/sessions</c> creates one exactly as
/// <c>POST /api/v1/sessions</c> would. Off unless <c>Switchboard:Demo:Enabled</c> is true, or unset while the gateway
/// runs the local backend (which costs nothing). See docs/browser.md.
/// </summary>
internal static class DemoEndpoints
{
    public const string ConfigPath = "/demo/config";
    public const string SessionsPath = "/demo/sessions";

    private static readonly string[] Fields = ["mode", "flow"];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(ConfigPath, GetConfigAsync).ExcludeFromDescription().RequireClientRateLimit(RateLimitBucket.DemoPerIp);
        routes.MapPost(SessionsPath, CreateAsync).DisableAntiforgery().ExcludeFromDescription().RequireClientRateLimit(RateLimitBucket.DemoPerIp);
    }

    /// <summary>Whether keyless demo sessions are on for this configuration.</summary>
    public static bool IsEnabled(SwitchboardOptions options) =>
        options.Demo.Enabled ?? EffectiveBackend.Resolve(options) == BackendKind.Local;

    private static async Task<IResult> GetConfigAsync(HttpContext context, IEndpointStore endpoints, ControlPlaneState state, IOptions<SwitchboardOptions> options)
    {
        if (!IsEnabled(options.Value) || !state.IsReady)
        {
            return Results.Json(new DemoConfig(false, null, [], []), DemoJsonContext.Default.DemoConfig);
        }

        var endpoint = await endpoints.GetDefaultEndpointAsync(state.Bootstrap.DefaultTeam.Id, context.RequestAborted);
        if (endpoint is null)
        {
            return Results.Json(new DemoConfig(false, null, [], []), DemoJsonContext.Default.DemoConfig);
        }

        var spec = endpoint.Spec;
        // The modes the page can open: listen follows a call named by the API's create route, never a demo session.
        var modes = InteractionModes.Implemented.Where(m => m != InteractionModes.Listen && (spec.Modes ?? []).Contains(m, StringComparer.Ordinal)).ToList();
        var actions = (spec.BrowserActions ?? []).Select(a => new DemoAction(a.Name, a.Description)).ToList();
        return Results.Json(new DemoConfig(true, new DemoEndpoint(endpoint.Id, endpoint.Name), modes, actions), DemoJsonContext.Default.DemoConfig);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IEndpointStore endpoints, ISessionStore sessions, ControlPlaneState state, SessionTokenSource tokenSource,
        CallAdmission admission, IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<SessionTokenSource> logger)
    {
        if (!IsEnabled(options.Value))
        {
            return ApiProblems.NotFound("demo sessions are off on this gateway; create sessions with an API key (POST /api/v1/sessions)");
        }

        var (root, problem) = await ApiRequestBody.ReadAsync(context.Request, context.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (root.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !Fields.Contains(name, StringComparer.Ordinal)) is { } unknown)
        {
            return ApiProblems.BadRequest($"unknown field '{unknown}'; expected mode and optionally flow");
        }

        if (!root.TryGetProperty("mode", out var modeJson) || modeJson.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(modeJson.GetString()))
        {
            return ApiProblems.BadRequest("mode is required (a string such as \"voice_conversation\")");
        }

        var mode = modeJson.GetString()!;
        string? flow = null;
        if (root.TryGetProperty("flow", out var flowJson) && flowJson.ValueKind != JsonValueKind.Null)
        {
            if (flowJson.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(flowJson.GetString()))
            {
                return ApiProblems.BadRequest("flow must be a non-empty string when given");
            }

            flow = flowJson.GetString();
        }

        if (!InteractionModes.IsKnown(mode))
        {
            return ApiProblems.BadRequest($"unknown mode '{mode}'; known modes: {string.Join(", ", InteractionModes.All)}");
        }

        if (!state.IsReady || await endpoints.GetDefaultEndpointAsync(state.Bootstrap.DefaultTeam.Id, context.RequestAborted) is not { } endpoint)
        {
            return ApiProblems.NotFound("the default team has no default endpoint");
        }

        return await SessionEndpoints.IssueAsync(context, sessions, tokenSource, admission, options.Value, time, logger, endpoint, mode, flow, "(demo)");
    }
}
