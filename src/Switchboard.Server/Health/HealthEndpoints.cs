using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Cluster;
using Switchboard.Common;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.LocalAgent.Hosting;

namespace Switchboard.Server.Health;

/// <summary>
/// <c>GET /healthz</c>, <c>/health</c> and <c>/health/ready</c>: each dependency's state and the number of active calls; 503 when
/// one is down, with <c>failing</c> naming each failing check (<c>database: missing</c>, <c>database: read-only</c>…), or while
/// the node drains (status <c>draining</c>, so a load balancer stops sending it calls).
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", Report).WithTags("Health").WithName("Health")
            .WithSummary("Gateway health")
            .WithDescription("Each dependency's state (backend, database, journal, and redis when `Switchboard:Redis` is configured), the number of active calls (in all, by channel, and the sessions among them); 503 when one is down, " +
                "and 503 with status `draining` while the node drains before a restart (SIGTERM or `POST /api/v1/admin/drain`). No API key needed.");
        routes.MapGet("/health", Report).WithTags("Health").WithName("HealthAlias").WithSummary("Gateway health (alias of /healthz)");
        routes.MapGet("/health/ready", Report).WithTags("Health").WithName("HealthReady").WithSummary("Readiness (alias of /healthz)");
    }

    private static bool IsListening(LocalRealtimeHost? host)
    {
        try
        {
            return host?.Url is not null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<IResult> Report(IOptions<SwitchboardOptions> options, CallRegistry calls, ICallJournal journal, IDatabase store, DrainState drain,
        RedisConnection redis, IServiceProvider services, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        StoreHealth database;
        try
        {
            database = await store.PingAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            database = new StoreHealth(false, store.Provider, "no answer within 3 s");
        }

        // Shared state: reported only when configured (a single node has none).
        (bool Ok, string Detail)? shared = null;
        if (redis.Enabled)
        {
            shared = await redis.PingAsync(timeout.Token);
        }

        var kind = EffectiveBackend.Resolve(options.Value);
        Dictionary<string, object?> backend;
        if (kind == BackendKind.Local)
        {
            var host = services.GetService<LocalRealtimeHost>();
            var listening = IsListening(host);
            backend = new()
            {
                ["kind"] = "local",
                ["state"] = listening ? "ok" : "down",
                ["detail"] = listening ? "local test agent (" + options.Value.Local.Mode + ") listening on loopback" : "local backend not listening",
                ["activeSessions"] = host?.ActiveSessions ?? 0,
            };
        }
        else
        {
            // Remote backends are not probed per health check (that would cost a session); connect failures show per call.
            backend = new()
            {
                ["kind"] = kind.ToString().ToLowerInvariant(),
                ["state"] = "configured",
                ["detail"] = kind == BackendKind.Azure ? options.Value.Azure.Endpoint : options.Value.OpenAI.RealtimeUrl,
            };
        }

        var journalHealth = journal.Health;
        var healthy = (string?)backend["state"] != "down" && journalHealth.Ok && database.Ok && shared is null or { Ok: true };
        var failing = new List<string>();
        if (!database.Ok)
        {
            failing.Add("database: " + (database.Check ?? "unreachable"));
        }

        if (!journalHealth.Ok)
        {
            failing.Add("journal: " + journalHealth.Detail);
        }

        if ((string?)backend["state"] == "down")
        {
            failing.Add("backend: down");
        }

        if (shared is { Ok: false } redisDown)
        {
            failing.Add("redis: " + redisDown.Detail);
        }

        // Draining wins: the balancer must stop sending calls here whatever the dependencies say.
        var since = drain.Since;
        var live = calls.Snapshot();
        var body = new Dictionary<string, object?>
        {
            ["status"] = since is not null ? "draining" : healthy ? "ok" : "unhealthy",
            ["activeCalls"] = live.Count,
            // Per channel (twilio, telnyx, sip, websocket…), and the sessions among them (calls on a session's WebSocket).
            ["activeByChannel"] = live.GroupBy(c => c.Carrier, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            ["activeSessions"] = live.Count(c => c.Carrier == Agents.Transports.WebSocket),
            ["draining"] = since is not null,
            ["drainingSince"] = since,
            ["failing"] = failing,
            ["dependencies"] = new Dictionary<string, object?>
            {
                ["backend"] = backend,
                ["database"] = new Dictionary<string, object?> { ["provider"] = database.Provider, ["state"] = database.Ok ? "ok" : "down", ["check"] = database.Check, ["detail"] = database.Detail },
                ["journal"] = new Dictionary<string, object?> { ["state"] = journalHealth.Ok ? "ok" : "down", ["detail"] = journalHealth.Detail },
            },
        };
        if (shared is { } redisHealth)
        {
            ((Dictionary<string, object?>)body["dependencies"]!)["redis"] = new Dictionary<string, object?>
            {
                ["state"] = redisHealth.Ok ? "ok" : "down", ["endpoints"] = redis.Endpoints, ["detail"] = redisHealth.Detail,
            };
        }

        return Results.Json(body, statusCode: healthy && since is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
