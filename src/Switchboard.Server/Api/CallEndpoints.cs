using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Artifacts;
using StackExchange.Redis;
using Switchboard.Calls;
using Switchboard.Cluster;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Server.Cluster;
using Switchboard.Transport;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/calls</c>: the team's calls, newest first, one call with its transcript, events and artifact, and the artifact
/// alone (READ_CALLS); the live calls (<c>?status=live</c>, READ_CALLS or MANAGE_CALLS: this node's, and with Redis every node's)
/// and hanging one up (MANAGE_CALLS; with Redis on whichever node runs it). Another team's call is a 404 everywhere.
/// </summary>
internal static class CallEndpoints
{
    public const string Path = "/api/v1/calls";

    /// <summary>The only value <c>?status=</c> takes.</summary>
    public const string LiveStatus = "live";

    /// <summary>The end detail of a hang-up that gives no reason.</summary>
    public const string DefaultHangupDetail = "hung up by an operator";

    public const int MaxReasonLength = 200;

    public const int MaxSayLength = 500;

    /// <summary>Call ids are <c>call_</c> + 32 hex digits; anything much longer cannot be one.</summary>
    private const int MaxIdLength = 128;

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Path).WithTags("Calls");

        group.MapGet("", ListAsync)
            .RequireAnyScope(ApiScopes.ReadCalls, ApiScopes.ManageCalls)
            .WithName("ListCalls")
            .WithSummary("List calls")
            .WithDescription("The team's calls, newest first, one page at a time. Events reach the database in batches, so a call that just ended may take a moment to show its end. " +
                "With `status=live`: the team's calls running right now, newest first, `durationMs` counting so far, each with the `node` it runs on: this node's from memory, " +
                "and with shared state (Redis) every other node's from the cluster registry. " +
                "A key with MANAGE_CALLS but not READ_CALLS may list only live calls, and sees no phone numbers.")
            .Produces<CallListResponse>()
            .ProducesValidationProblem();

        group.MapGet("/{id}", GetAsync)
            .RequireScope(ApiScopes.ReadCalls)
            .WithName("GetCall")
            .WithSummary("Get a call with its transcript and events")
            .WithDescription("The call's summary, its transcript (caller and agent turns; an agent turn the caller barged in on is marked `interrupted` with `heardMs`) and every stored event in order.")
            .Produces<CallDetailResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/artifact", GetArtifactAsync)
            .RequireScope(ApiScopes.ReadCalls)
            .WithName("GetCallArtifact")
            .WithSummary("Get a call's post-call artifact")
            .WithDescription("The post-call artifact (docs/artifacts.md): endpoint, carrier ids, numbers redacted per the endpoint's privacy, times, end reason, " +
                "transcript, tool calls, transfer, token usage and estimated cost, summary and hot hand-offs. For a call still running it is the artifact so far, " +
                "with `final: false`; the `call.artifact` webhook carries the final one.")
            .Produces<CallArtifact>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id}/hangup", HangUpAsync)
            .RequireScope(ApiScopes.ManageCalls)
            .WithName("HangUpCall")
            .WithSummary("Hang up a live call")
            .WithDescription("Ends a live call after the agent's goodbye: `say` (optional) is what the agent says, otherwise a short goodbye " +
                "in its own words; `reason` (optional) is kept as the end detail. Answers 202 at once; the goodbye takes at most `Limits:GoodbyeSeconds`, " +
                "then the call ends with `operator_hangup`. 409 when the call is already ending or has ended; 404 when it is not live (or not the team's). " +
                "With shared state (Redis) the call may run on any node: the request is forwarded to it and answered as it answers; 504 when that node does not " +
                "answer within 5 s, 503 when Redis is unreachable; if that node is gone (its lease expired), its calls are closed `node_lost` (carrier calls hung up " +
                "through the carrier's API) and the answer is 202 with `status: ended`. The body may be left out.")
            .WithJsonBody<HangupRequest>(optional: true)
            .Produces<HangupResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
    }

    private static async Task<IResult> ListAsync(
        HttpContext context,
        ICallStore store,
        CallRegistry registry,
        ClusterControl cluster,
        ILoggerFactory loggers,
        TimeProvider time,
        [Description("1-based page number (default 1).")] string? page,
        [Description("Items per page, 1-100 (default 20).")] string? limit,
        [Description("`live`: only the calls running now (with Redis, on every node). Left out: every stored call.")] string? status)
    {
        if (!PageQuery.TryParse(page, limit, out var request, out var problem))
        {
            return problem!;
        }

        if (status is not null && status != LiveStatus)
        {
            return ApiProblems.InvalidField("status", $"status must be '{LiveStatus}' or left out (got '{(status.Length > 20 ? status[..20] + "…" : status)}')");
        }

        var caller = ApiCaller.From(context);
        var readsCalls = ApiScopeNames.Allows(caller.Scopes, ApiScopes.ReadCalls);
        if (status is null)
        {
            if (!readsCalls)
            {
                return ApiProblems.Forbidden("this API key lacks the READ_CALLS scope (with MANAGE_CALLS alone, list ?status=live)");
            }

            var result = await store.ListCallsAsync(caller.TeamId, request.Offset, request.Limit, context.RequestAborted);
            var response = new CallListResponse(result.Items.Select(CallResponse.Summarize).ToList(), PaginationInfo.For(request, result.Total));
            return Results.Json(response, ApiJsonContext.Default.CallListResponse);
        }

        var live = await LiveCallsAsync(caller.TeamId, registry, cluster, loggers);
        var now = time.GetUtcNow();
        var items = new List<CallResponse>(Math.Min(request.Limit, live.Count));
        foreach (var call in live.Skip(request.Offset).Take(request.Limit))
        {
            // The stored row (events so far, numbers) when the journal has written it; a call seconds old may not be there yet.
            var stored = await store.GetCallAsync(caller.TeamId, call.CallId, context.RequestAborted);
            items.Add(Live(call, stored, now, readsCalls));
        }

        return Results.Json(new CallListResponse(items, PaginationInfo.For(request, live.Count)), ApiJsonContext.Default.CallListResponse);
    }

    /// <summary>
    /// The team's live calls, newest first: this node's, and with Redis every other node's from the cluster registry (this
    /// node's own from memory, as Redis may lag behind after an outage). Redis unreachable: this node's alone, logged.
    /// </summary>
    internal static async Task<List<ClusterCall>> LiveCallsAsync(Guid teamId, CallRegistry registry, ClusterControl cluster, ILoggerFactory loggers)
    {
        var calls = new Dictionary<string, ClusterCall>(StringComparer.Ordinal);
        if (cluster.Enabled)
        {
            try
            {
                foreach (var call in await cluster.Registry.ListAsync(teamId) ?? [])
                {
                    calls[call.CallId] = call;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                ClusterLog.Unavailable(loggers.CreateLogger(ApiLog.Category), "the live call list", RedisConnection.Describe(ex));
            }
        }

        foreach (var call in registry.Snapshot().Where(c => c.TeamId == teamId))
        {
            calls[call.CallId] = new ClusterCall
            {
                CallId = call.CallId,
                Node = cluster.NodeId,
                TeamId = call.TeamId,
                EndpointId = call.EndpointId,
                EndpointName = call.EndpointName,
                Channel = call.Carrier,
                CarrierCallId = call.CarrierCallId,
                StartedAt = call.StartedAt,
            };
        }

        return calls.Values.OrderByDescending(c => c.StartedAt).ThenBy(c => c.CallId, StringComparer.Ordinal).ToList();
    }

    /// <summary>A live call as a call summary: numbers only for a key that may read them in the call list anyway.</summary>
    private static CallResponse Live(ClusterCall call, CallRecord? stored, DateTimeOffset now, bool showNumbers) => new()
    {
        Id = call.CallId,
        EndpointId = call.EndpointId,
        Channel = call.Channel,
        CarrierCallId = call.CarrierCallId,
        From = showNumbers ? stored?.From : null,
        To = showNumbers ? stored?.To : null,
        StartedAt = call.StartedAt,
        EventCount = stored?.EventCount ?? 0,
        DurationMs = Math.Max(0, (long)(now - call.StartedAt).TotalMilliseconds),
        Node = call.Node,
    };

    private static async Task<IResult> HangUpAsync(HttpContext context, CallRegistry registry, ClusterControl cluster, ICallStore store, ILoggerFactory loggers,
        [Description("The call's id (call_…).")] string id)
    {
        var caller = ApiCaller.From(context);
        var logger = loggers.CreateLogger(ApiLog.Category);
        var local = id.Length <= MaxIdLength && registry.TryGet(id, out var call) && call!.TeamId == caller.TeamId;
        ClusterCall? remote = null;
        var unreachable = false;
        if (!local && id.Length <= MaxIdLength && cluster.Enabled)
        {
            try
            {
                unreachable = !cluster.Registry.Reachable;
                remote = unreachable ? null : await cluster.Registry.FindAsync(id);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                unreachable = true;
                ClusterLog.Unavailable(logger, "a hang-up", RedisConnection.Describe(ex));
            }

            // Another team's call is a 404 like an unknown one; an entry of this node's that is not live here is stale.
            if (remote is not null && (remote.TeamId != caller.TeamId || remote.Node == cluster.NodeId))
            {
                remote = null;
            }
        }

        if (!local && remote is null)
        {
            var notLive = await NotLiveAsync(store, cluster.Enabled, caller.TeamId, id, context.RequestAborted);
            // Without Redis a call live on another node cannot be found: say so rather than claim there is none.
            return unreachable && notLive is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status409Conflict }
                ? ApiProblems.Unavailable("shared state (Redis) unreachable: calls on other nodes cannot be found; try again")
                : notLive;
        }

        var (request, problem) = await ReadHangupAsync(context);
        if (problem is not null)
        {
            return problem;
        }

        var (reason, say) = request;
        if (remote is not null)
        {
            var answer = await cluster.HangUpAsync(remote, reason ?? DefaultHangupDetail, say, context.RequestAborted);
            switch (answer.Status)
            {
                case StatusCodes.Status202Accepted:
                    ApiLog.CallHungUp(logger, remote.CallId, say is not null, caller.KeyPrefix);
                    context.Response.Headers.Location = Path + "/" + remote.CallId;
                    return Results.Json(new HangupResponse(remote.CallId, answer.EndReason == CallEndReason.NodeLost ? "ended" : "ending", answer.EndReason!),
                        ApiJsonContext.Default.HangupResponse, statusCode: StatusCodes.Status202Accepted);
                case StatusCodes.Status409Conflict:
                    return ApiProblems.Conflict(answer.Detail);
                case StatusCodes.Status504GatewayTimeout:
                    return Results.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "Gateway Timeout", detail: answer.Detail);
                case StatusCodes.Status503ServiceUnavailable:
                    return ApiProblems.Unavailable(answer.Detail);
                default:
                    // It ended between the look-up and the owner's answer: its stored end says so.
                    return await NotLiveAsync(store, cluster.Enabled, caller.TeamId, id, context.RequestAborted);
            }
        }

        var attempt = registry.HangUp(id, caller.TeamId, reason ?? DefaultHangupDetail, say);
        switch (attempt.Status)
        {
            case HangupStatus.NotSupported:
                return ApiProblems.Conflict("this call cannot be hung up from the API");
            case HangupStatus.AlreadyEnding:
                return ApiProblems.Conflict("the call is already ending");
            case HangupStatus.NotFound:
                return await NotLiveAsync(store, cluster.Enabled, caller.TeamId, id, context.RequestAborted);
        }

        ApiLog.CallHungUp(logger, id, say is not null, caller.KeyPrefix);
        // Not awaited: the goodbye may take up to Limits:GoodbyeSeconds, and the call's own token bounds it, not this request's.
        _ = ObserveAsync(attempt.Ending!, logger, id);
        context.Response.Headers.Location = Path + "/" + id;
        return Results.Json(new HangupResponse(id, "ending", CallEndReason.OperatorHangup), ApiJsonContext.Default.HangupResponse,
            statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>A call not live anywhere the node can see: the team's own call that has ended says so (409); anything else is a 404.</summary>
    private static async Task<IResult> NotLiveAsync(ICallStore store, bool clustered, Guid teamId, string id, CancellationToken cancellationToken)
    {
        var stored = id.Length <= MaxIdLength ? await store.GetCallAsync(teamId, id, cancellationToken) : null;
        return stored?.EndedAt is not null
            ? ApiProblems.Conflict($"the call has already ended ({stored.EndReason})")
            : ApiProblems.NotFound(clustered ? "no live call with this id on any node" : "no live call with this id on this node");
    }

    /// <summary>The optional body's reason and words, validated; or the problem to answer.</summary>
    private static async Task<((string? Reason, string? Say) Request, IResult? Problem)> ReadHangupAsync(HttpContext context)
    {
        HangupRequest? request = null;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true)
        {
            var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
            if (body is null)
            {
                return (default, problem!);
            }

            try
            {
                request = body.Deserialize(ApiJsonContext.Default.HangupRequest);
            }
            catch (JsonException ex)
            {
                var (field, message) = JsonErrorText.Mapping(ex, ApiJsonContext.Default.HangupRequest);
                return (default, ApiProblems.InvalidField(field, message));
            }
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var reason = request?.Reason?.Trim();
        var say = request?.Say?.Trim();
        if (reason is not null && reason.Length is 0 or > MaxReasonLength)
        {
            errors["reason"] = [$"reason must be 1-{MaxReasonLength} characters (or left out)"];
        }

        if (say is not null && say.Length is 0 or > MaxSayLength)
        {
            errors["say"] = [$"say must be 1-{MaxSayLength} characters (or left out for a goodbye in the agent's own words)"];
        }

        return errors.Count > 0 ? (default, ApiProblems.Invalid(errors, string.Join("; ", errors.Values.SelectMany(v => v)))) : ((reason, say), null);
    }

    /// <summary>Waits for a hang-up nobody else waits for, so a failure is logged rather than lost.</summary>
    private static async Task ObserveAsync(Task<bool> ending, ILogger logger, string callId)
    {
        try
        {
            await ending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ApiLog.HangupFailed(logger, ex, callId);
        }
    }

    private static async Task<IResult> GetAsync(HttpContext context, ICallStore store, [Description("The call's id (call_…).")] string id)
    {
        var caller = ApiCaller.From(context);
        var call = id.Length <= MaxIdLength ? await store.GetCallAsync(caller.TeamId, id, context.RequestAborted) : null;
        if (call is null)
        {
            return ApiProblems.NotFound("no such call");
        }

        var events = await store.ReadEventsAsync(call.Id, context.RequestAborted);
        var artifact = CallArtifactBuilder.Build(events, context.RequestServices.GetRequiredService<CallPricing>());
        return Results.Json(CallDetailResponse.Build(call, events, artifact), ApiJsonContext.Default.CallDetailResponse);
    }

    private static async Task<IResult> GetArtifactAsync(HttpContext context, ICallStore store, CallPricing pricing, [Description("The call's id (call_…).")] string id)
    {
        var caller = ApiCaller.From(context);
        var call = id.Length <= MaxIdLength ? await store.GetCallAsync(caller.TeamId, id, context.RequestAborted) : null;
        if (call is null)
        {
            return ApiProblems.NotFound("no such call");
        }

        var events = await store.ReadEventsAsync(call.Id, context.RequestAborted);
        return Results.Json(CallArtifactBuilder.Build(events, pricing), CallArtifactJsonContext.Default.CallArtifact);
    }
}
