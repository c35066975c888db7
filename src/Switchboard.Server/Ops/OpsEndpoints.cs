using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Calls;
using Switchboard.Cluster;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Server.Api;
using Switchboard.Server.Cluster;
using Switchboard.Telemetry;
using Switchboard.Webhooks;

namespace Switchboard.Server.Ops;

/// <summary>
/// What the live operations page (<c>/ops</c>) reads, for the API key's team (READ_CALLS): <c>GET /api/v1/ops/summary</c>
/// (the live calls with channel, endpoint, duration, redacted caller and the agent's state; the node's health and drain;
/// today's usage against the team's daily budgets; recent refusals and failed webhooks) and <c>GET /api/v1/ops/feed</c>
/// (server-sent events: each live call's transcript as it is journalled, and starts and ends). Hanging up is the calls API's
/// (<c>POST /api/v1/calls/{id}/hangup</c>, MANAGE_CALLS). Transcripts are what READ_CALLS reads anyway; no audio, no secrets.
/// </summary>
internal static class OpsEndpoints
{
    public const string SummaryPath = "/api/v1/ops/summary";

    public const string FeedPath = "/api/v1/ops/feed";

    public const string TranscriptPath = "/api/v1/ops/calls/{id}/transcript";

    /// <summary>A comment line this often keeps proxies from closing a quiet feed.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(SummaryPath, SummaryAsync)
            .WithTags("Operations")
            .RequireScope(ApiScopes.ReadCalls)
            .WithName("GetOpsSummary")
            .WithSummary("Live operations summary")
            .WithDescription("The team's live calls (channel, endpoint, duration so far, caller redacted per the endpoint's privacy, the agent's state: " +
                "listening, thinking, speaking or tool_running), this node's health and drain state, today's usage against the team's daily budgets, " +
                "the last refusals and the last failed webhook deliveries. Read by the /ops page. With shared state (Redis) the calls of every node, each with " +
                "its `node` (another node's call shows state `remote` and no caller), and `nodes`: each node's state (live, draining, lost) and live calls.");

        routes.MapGet(TranscriptPath, TranscriptAsync)
            .WithTags("Operations")
            .RequireScope(ApiScopes.ReadCalls)
            .WithName("GetOpsTranscript")
            .WithSummary("A live call's transcript so far")
            .WithDescription("The caller and agent turns of one of the team's calls live on this node, from the journal (pending writes included). 404 when it is not live here.");

        routes.MapGet(FeedPath, FeedAsync)
            .WithTags("Operations")
            .RequireScope(ApiScopes.ReadCalls)
            .WithName("GetOpsFeed")
            .WithSummary("Live call feed (server-sent events)")
            .WithDescription("text/event-stream of the team's live calls on this node: `call` events when a call starts or ends, and `transcript` events " +
                "(callId, role, text, interrupted) as each turn is journalled. Read by the /ops page.");
    }

    private static async Task SummaryAsync(HttpContext context, CallRegistry registry, ClusterControl cluster, GatewayTelemetry telemetry, DrainState drain,
        ICallJournal journal, TeamLimitsCache teams, UsageLedger ledger, IWebhookStore webhooks, ILoggerFactory loggers, TimeProvider time)
    {
        var caller = ApiCaller.From(context);
        var token = context.RequestAborted;
        var now = time.GetUtcNow();
        var team = await teams.GetAsync(caller.TeamId, token);
        var today = await ledger.TodayAsync(caller.TeamId, null, team.Zone, token);
        var (seconds, cost) = today.Used();
        var failed = await webhooks.ListWebhookDeliveriesAsync(caller.TeamId, WebhookDeliveryStatus.Failed, 0, 10, token);
        // With Redis: the team's calls on every node, and the nodes themselves (state, live calls); else this node's alone.
        var live = await CallEndpoints.LiveCallsAsync(caller.TeamId, registry, cluster, loggers);
        IReadOnlyList<ClusterMember>? nodes = null;
        if (cluster.Enabled)
        {
            try
            {
                nodes = await cluster.Registry.NodesAsync();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                ClusterLog.Unavailable(loggers.CreateLogger(ApiLog.Category), "the ops node list", RedisConnection.Describe(ex));
            }
        }

        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        w.WriteStartObject();
        w.WriteString("at", now);
        w.WriteStartObject("node");
        w.WriteString("id", cluster.NodeId);
        w.WriteString("status", drain.IsDraining ? "draining" : journal.Health.Ok ? "ok" : "unhealthy");
        w.WriteBoolean("draining", drain.IsDraining);
        if (drain.Since is { } since)
        {
            w.WriteString("drainingSince", since);
        }

        w.WriteBoolean("journalOk", journal.Health.Ok);
        w.WriteNumber("liveCalls", registry.Count);
        w.WriteEndObject();

        w.WriteStartArray("calls");
        foreach (var call in Enumerable.Reverse(live))
        {
            // Another node's call: the registry knows no caller or agent state (those live in the owner's memory).
            var here = call.Node == cluster.NodeId;
            var view = here ? telemetry.LiveView(call.CallId) : null;
            w.WriteStartObject();
            w.WriteString("id", call.CallId);
            w.WriteString("node", call.Node);
            w.WriteString("channel", call.Channel);
            w.WriteString("endpoint", call.EndpointName);
            w.WriteString("startedAt", call.StartedAt);
            w.WriteNumber("durationMs", (long)(now - call.StartedAt).TotalMilliseconds);
            w.WriteString("caller", view?.Caller);
            w.WriteString("state", here ? view?.State ?? "starting" : "remote");
            w.WriteEndObject();
        }

        w.WriteEndArray();

        if (nodes is not null)
        {
            w.WriteStartArray("nodes");
            foreach (var node in nodes.OrderBy(n => n.Id, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("id", node.Id);
                w.WriteString("state", node.Live ? node.State ?? ClusterMember.LiveState : "lost");
                w.WriteNumber("liveCalls", node.Calls);
                w.WriteString("leaseExpires", node.LeaseExpires);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("usage");
        w.WriteString("dayStart", today.DayStart);
        w.WriteNumber("callSeconds", Math.Round(seconds, 1));
        w.WriteNumber("costUsd", Math.Round(cost, 6));
        w.WriteNumber("maxDailyCallSeconds", team.MaxDailyCallSeconds);
        w.WriteNumber("maxDailyCostUsd", team.MaxDailyCostUsd);
        w.WriteEndObject();

        w.WriteStartArray("refusals");
        foreach (var refusal in telemetry.RecentRefusals.Where(r => r.TeamId == caller.TeamId || r.TeamId is null).Reverse().Take(10))
        {
            w.WriteStartObject();
            w.WriteString("at", refusal.At);
            w.WriteString("channel", refusal.Channel);
            w.WriteString("reason", refusal.Reason);
            w.WriteString("detail", refusal.Detail);
            w.WriteString("endpoint", refusal.Endpoint);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("webhookFailures");
        foreach (var delivery in failed.Items)
        {
            w.WriteStartObject();
            w.WriteString("id", delivery.Id);
            w.WriteString("eventType", delivery.EventType);
            w.WriteNumber("attempts", delivery.Attempts);
            w.WriteString("lastError", delivery.LastError);
            w.WriteString("createdAt", delivery.CreatedAt);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        await w.FlushAsync(token);
    }

    private static async Task TranscriptAsync(HttpContext context, string id, CallRegistry registry, ICallJournal journal)
    {
        var caller = ApiCaller.From(context);
        if (!registry.TryGet(id, out var call) || call!.TeamId != caller.TeamId)
        {
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "no such call live on this node").ExecuteAsync(context);
            return;
        }

        var turns = CallTranscript.Build(await journal.ReadAsync(id, context.RequestAborted));
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        w.WriteStartObject();
        w.WriteString("callId", id);
        w.WriteStartArray("transcript");
        foreach (var turn in turns)
        {
            w.WriteStartObject();
            w.WriteString("role", turn.Role);
            w.WriteString("text", turn.Text);
            w.WriteBoolean("interrupted", turn.Interrupted);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        await w.FlushAsync(context.RequestAborted);
    }

    private static async Task FeedAsync(HttpContext context, CallEventFeed feed, CallRegistry registry)
    {
        var caller = ApiCaller.From(context);
        var token = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var body = context.Response.Body;
        await body.WriteAsync(": switchboard ops feed\n\n"u8.ToArray(), token);
        await body.FlushAsync(token);

        // The team's calls: those live now, and those that start while the feed runs (their start names the team).
        var team = caller.TeamId.ToString("D");
        var ours = new HashSet<string>(registry.Snapshot().Where(c => c.TeamId == caller.TeamId).Select(c => c.CallId), StringComparer.Ordinal);
        using var keepAlive = new PeriodicTimer(KeepAlive);
        var events = feed.WatchAsync(token).GetAsyncEnumerator(token);
        var next = events.MoveNextAsync().AsTask();
        var tick = keepAlive.WaitForNextTickAsync(token).AsTask();
        try
        {
            while (!token.IsCancellationRequested)
            {
                var done = await Task.WhenAny(next, tick);
                if (done == tick)
                {
                    await tick;
                    await body.WriteAsync(": keep-alive\n\n"u8.ToArray(), token);
                    await body.FlushAsync(token);
                    tick = keepAlive.WaitForNextTickAsync(token).AsTask();
                    continue;
                }

                if (!await next)
                {
                    return;
                }

                var e = events.Current;
                next = events.MoveNextAsync().AsTask();
                if (e.Type == CallEventType.CallStarted && e.Data is { } data && data.TryGetValue(CallEventKeys.TeamId, out var owner) && owner == team)
                {
                    ours.Add(e.CallId);
                }

                if (!ours.Contains(e.CallId) || Write(e) is not { } message)
                {
                    continue;
                }

                if (e.Type == CallEventType.CallEnded)
                {
                    ours.Remove(e.CallId);
                }

                await body.WriteAsync(message, token);
                await body.FlushAsync(token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page went away.
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    /// <summary>One server-sent event for a journal event the page shows; null for the others.</summary>
    private static byte[]? Write(CallEvent e)
    {
        string name;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("callId", e.CallId);
            w.WriteString("at", e.At);
            switch (e.Type)
            {
                case CallEventType.CallStarted:
                    name = "call";
                    w.WriteString("event", "started");
                    break;
                case CallEventType.CallEnded:
                    name = "call";
                    w.WriteString("event", "ended");
                    w.WriteString("reason", e.Reason);
                    break;
                case CallEventType.CallerTurn or CallEventType.AgentTurn when !string.IsNullOrEmpty(e.Text):
                    name = "transcript";
                    w.WriteString("role", e.Type == CallEventType.CallerTurn ? "caller" : "agent");
                    w.WriteString("text", e.Text);
                    w.WriteBoolean("interrupted", e.Interrupted == true);
                    break;
                default:
                    return null;
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetBytes($"event: {name}\ndata: {Encoding.UTF8.GetString(buffer.WrittenSpan)}\n\n");
    }
}
