using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Limits;
using Switchboard.Telegram;

namespace Switchboard.Server.Telegram;

/// <summary>
/// The operator's routes behind <c>REALTIME_CONTROL_SECRET</c>, used by <c>switchboard ctl</c>: <c>GET /api/ctl/status</c>,
/// <c>GET /api/call/status</c>, <c>POST /api/call/arm</c>, <c>POST /api/call/disarm</c>, <c>GET /api/capabilities</c>
/// (<c>POST /api/call/hangup</c> takes the secret too).
/// </summary>
internal static partial class ControlRoutes
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/ctl/status", GatewayStatusAsync).ExcludeFromDescription();
        routes.MapGet("/api/call/status", CallStatusAsync).ExcludeFromDescription();
        routes.MapPost("/api/call/arm", (HttpContext c, IOptions<SwitchboardOptions> o, CallSurface s, ILogger<CallSurface> l) => Change(c, o, s, l, arm: true)).DisableAntiforgery().ExcludeFromDescription();
        routes.MapPost("/api/call/disarm", (HttpContext c, IOptions<SwitchboardOptions> o, CallSurface s, ILogger<CallSurface> l) => Change(c, o, s, l, arm: false)).DisableAntiforgery().ExcludeFromDescription();
        routes.MapGet("/api/capabilities", CapabilitiesAsync).ExcludeFromDescription();
    }

    private static IResult? Unauthorized(HttpContext context, IOptions<SwitchboardOptions> options) =>
        ControlSecret.IsPresented(context, options.Value.Realtime.ControlSecret) ? null
            : CallRefusal.Result(context, CallRefusal.Unauthorized, string.IsNullOrEmpty(options.Value.Realtime.ControlSecret)
                ? "the gateway has no REALTIME_CONTROL_SECRET configured"
                : "present REALTIME_CONTROL_SECRET as Authorization: Bearer <secret>");

    private static async Task<IResult> Change(HttpContext context, IOptions<SwitchboardOptions> options, CallSurface surface, ILogger logger, bool arm)
    {
        if (Unauthorized(context, options) is { } refused)
        {
            return refused;
        }

        if (arm)
        {
            await surface.ArmAsync("ctl");
        }
        else
        {
            await surface.DisarmAsync("ctl");
        }

        await surface.RefreshAsync();

        LogChanged(logger, arm ? "armed" : "disarmed", "ctl");
        return Results.Text(surface.Describe().ToJsonString(), "application/json");
    }

    private static async Task<IResult> CallStatusAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallSurface surface, IReadiness readiness)
    {
        if (Unauthorized(context, options) is { } refused)
        {
            return refused;
        }

        await surface.RefreshAsync();
        var status = surface.Describe();
        status["checks"] = Checks(await readiness.CheckAsync(context.RequestAborted));
        return Results.Text(status.ToJsonString(), "application/json");
    }

    private static async Task<IResult> CapabilitiesAsync(HttpContext context, IOptions<SwitchboardOptions> options, IReadiness readiness)
    {
        if (Unauthorized(context, options) is { } refused)
        {
            return refused;
        }

        var checks = await readiness.CheckAsync(context.RequestAborted);
        return Results.Text(new JsonObject { ["ready"] = checks.All(c => c.Ok), ["checks"] = Checks(checks) }.ToJsonString(), "application/json");
    }

    private static async Task<IResult> GatewayStatusAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallSurface surface, CallRegistry calls, DrainState drain,
        PublicOrigin origin, IServiceProvider services)
    {
        if (Unauthorized(context, options) is { } refused)
        {
            return refused;
        }

        var o = options.Value;
        await surface.RefreshAsync();
        var bot = services.GetService<TelegramBot>();
        var status = new JsonObject
        {
            ["gateway"] = new JsonObject { ["liveCalls"] = calls.Count, ["draining"] = drain.IsDraining },
            ["realtimeEnabled"] = o.Realtime.IsEnabled(o.Telegram),
            ["publicOrigin"] = new JsonObject { ["mode"] = origin.Mode, ["url"] = origin.Current },
            ["bot"] = bot is null ? null : new JsonObject { ["mode"] = o.Telegram.Mode, ["username"] = bot.Username, ["polling"] = bot.IsPolling },
            ["surface"] = surface.Describe(),
        };
        return Results.Text(status.ToJsonString(), "application/json");
    }

    private static JsonArray Checks(IReadOnlyList<ReadinessCheck> checks) =>
        [.. checks.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["ok"] = c.Ok, ["detail"] = c.Detail })];

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramSurfaceChanged, Level = LogLevel.Information, Message = "Call surface {Change} by {By}")]
    private static partial void LogChanged(ILogger logger, string change, string by);
}
