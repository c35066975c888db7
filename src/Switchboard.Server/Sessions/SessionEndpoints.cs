using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Server.Api;
using Switchboard.Server.Hosting;
using Switchboard.Sessions;

namespace Switchboard.Server.Sessions;

/// <summary>
/// <c>POST /api/v1/sessions</c> creates a session and its short-lived <c>wsToken</c>; <c>/ws/session</c> admits a
/// client holding that token and runs the conversation. See docs/sessions.md.
/// </summary>
internal static partial class SessionEndpoints
{
    public const string CreatePath = "/api/v1/sessions";
    public const string SocketPath = "/ws/session";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(CreatePath, CreateAsync).RequireScope(ApiScopes.CreateCallToken).DisableAntiforgery()
            .WithTags("Sessions")
            .WithName("CreateSession")
            .WithSummary("Create a session for the session WebSocket")
            .WithDescription("Creates a session on one of the team's endpoints and a short-lived `wsToken`; hand `wsUrl` to the client, which connects to `/ws/session` (see docs/sessions.md). The endpoint must allow the `websocket` carrier and the mode (`text`, `audio_playback`, `voice_conversation` or `browser_actions`; `listen` is not available yet).")
            .WithJsonBody<CreateSessionRequest>()
            .Produces<CreateSessionResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        routes.Map(SocketPath, ConnectAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ISessionStore store, IEndpointStore endpoints, SessionTokenSource tokenSource, IOptions<SwitchboardOptions> options,
        TimeProvider time, ILogger<SessionTokenSource> logger)
    {
        var caller = ApiCaller.From(context);
        CreateSessionRequest? request;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            if (!CreateSessionRequest.TryParse(body.RootElement, out request, out var invalid))
            {
                return ApiProblems.BadRequest(invalid!);
            }
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest("the body is not valid JSON: " + ex.Message);
        }

        if (!InteractionModes.IsKnown(request!.Mode))
        {
            return ApiProblems.BadRequest($"unknown mode '{request.Mode}'; known modes: {string.Join(", ", InteractionModes.All)}");
        }

        var endpoint = await endpoints.GetEndpointAsync(caller.TeamId, request.EndpointId, context.RequestAborted);
        if (endpoint is null)
        {
            return ApiProblems.NotFound($"endpoint {request.EndpointId} not found");
        }

        return await IssueAsync(context, store, tokenSource, options.Value, time, logger, endpoint, request.Mode, request.Flow, caller.KeyPrefix);
    }

    /// <summary>
    /// Checks that <paramref name="endpoint"/> admits a session in <paramref name="mode"/> (and <paramref name="flowName"/>),
    /// stores the session and answers 201 with its token and URL. Shared by the API and the keyless demo route.
    /// </summary>
    internal static async Task<IResult> IssueAsync(HttpContext context, ISessionStore store, SessionTokenSource tokenSource, SwitchboardOptions options,
        TimeProvider time, ILogger logger, AgentEndpoint endpoint, string mode, string? flowName, string issuedBy)
    {
        var spec = endpoint.Spec;
        switch (SessionPolicy.CheckMode(spec, mode))
        {
            case SessionModeDecision.NotAllowedByEndpoint:
                return ApiProblems.Forbidden($"endpoint '{endpoint.Name}' does not allow mode '{mode}' (its modes: {string.Join(", ", spec.Modes ?? [])})");
            case SessionModeDecision.NotImplemented:
                return ApiProblems.BadRequest($"mode '{mode}' is not available yet on this gateway; available: {string.Join(", ", InteractionModes.Implemented)}");
        }

        if (!SessionPolicy.AllowsWebSocket(spec))
        {
            return ApiProblems.Forbidden($"endpoint '{endpoint.Name}' does not allow the '{Transports.WebSocket}' carrier (its carriers: {string.Join(", ", spec.Carriers ?? [])})");
        }

        if (!SessionPolicy.TryResolveFlow(spec, flowName, out var flow))
        {
            var declared = new[] { SessionPolicy.DefaultFlow }.Concat((spec.Flows ?? []).Select(f => f.Name)).Distinct(StringComparer.Ordinal);
            return ApiProblems.BadRequest($"unknown flow '{flowName}'; this endpoint's flows: {string.Join(", ", declared)}");
        }

        var now = time.GetUtcNow();
        var ttlSeconds = spec.Limits?.SessionTtlSeconds is > 0 ? spec.Limits.SessionTtlSeconds : new LimitsSpec().SessionTtlSeconds;
        var session = new SessionRecord
        {
            Id = Guid.NewGuid(),
            TeamId = endpoint.TeamId,
            EndpointId = endpoint.Id,
            Mode = mode,
            Flow = flow?.Name,
            CreatedAt = now,
            ExpiresAt = now.AddSeconds(ttlSeconds),
        };
        await store.CreateSessionAsync(session, context.RequestAborted);

        var tokens = await tokenSource.GetAsync(context.RequestAborted);
        var issued = tokens.Issue(session);
        var wsUrl = PublicUrl.WebSocketUrl(context.Request, options, SocketPath)
            + "?sessionId=" + session.Id.ToString("D") + "&token=" + Uri.EscapeDataString(issued.Token);
        LogCreated(logger, session.Id, endpoint.Id, session.Mode, issuedBy, issued.TokenId);
        return Results.Json(
            new CreateSessionResponse(session.Id, issued.Token, (int)tokens.Lifetime.TotalSeconds, ttlSeconds, wsUrl),
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task ConnectAsync(HttpContext context, ISessionStore store, IEndpointStore endpoints, SessionTokenSource tokenSource, IRealtimeEndpointProvider backends,
        SessionServices services, ILogger<SessionTokenSource> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected",
                detail: $"This is the session WebSocket; connect with ws(s)://…{SocketPath}?sessionId=…&token=… from POST {CreatePath}.").ExecuteAsync(context);
            return;
        }

        // Accept first: a browser cannot read the status of a refused upgrade, but it can read a close code and reason.
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        try
        {
            var (start, code, reason) = await AdmitAsync(context, store, endpoints, tokenSource, backends, services.Time, logger);
            if (start is null)
            {
                await RejectAsync(socket, code, reason);
                return;
            }

            await using var conversation = new SessionConversation(socket, start, services);
            await conversation.RunAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            LogFailure(logger, ex);
            await RejectAsync(socket, SessionCloseCodes.InternalError, "internal error");
        }
    }

    /// <summary>Checks the query's session and token, then the session and endpoint as they are now.</summary>
    private static async Task<(SessionStart? Start, int Code, string Reason)> AdmitAsync(HttpContext context, ISessionStore store, IEndpointStore endpoints, SessionTokenSource tokenSource,
        IRealtimeEndpointProvider backends, TimeProvider time, ILogger logger)
    {
        var query = context.Request.Query;
        var sessionText = query["sessionId"].ToString();
        var token = query["token"].ToString();
        if (string.IsNullOrEmpty(sessionText))
        {
            return Refuse(logger, SessionCloseCodes.MissingCredentials, "missing sessionId", null);
        }

        if (string.IsNullOrEmpty(token))
        {
            return Refuse(logger, SessionCloseCodes.MissingCredentials, "missing token", null);
        }

        if (!Guid.TryParse(sessionText, out var sessionId))
        {
            return Refuse(logger, SessionCloseCodes.Forbidden, "unknown session", null);
        }

        var tokens = await tokenSource.GetAsync(context.RequestAborted);
        var checkedToken = await tokens.ValidateAsync(token, sessionId);
        if (!checkedToken.IsValid)
        {
            var reason = checkedToken.Status switch
            {
                SessionTokenStatus.Expired => "token expired",
                SessionTokenStatus.WrongSession => "token is for another session",
                _ => "invalid token",
            };
            return Refuse(logger, SessionCloseCodes.Forbidden, reason, sessionId, checkedToken.Status.ToString());
        }

        var claims = checkedToken.Claims!;
        var session = await store.GetSessionAsync(sessionId, context.RequestAborted);
        if (session is null)
        {
            return Refuse(logger, SessionCloseCodes.Forbidden, "unknown session", sessionId);
        }

        if (session.TeamId != claims.TeamId || session.EndpointId != claims.EndpointId || session.Mode != claims.Mode)
        {
            return Refuse(logger, SessionCloseCodes.Forbidden, "invalid token", sessionId, "claims differ from the session");
        }

        if (session.ExpiresAt <= time.GetUtcNow())
        {
            return Refuse(logger, SessionCloseCodes.Forbidden, "session expired", sessionId);
        }

        // The endpoint may have been edited or deleted since the session was created.
        var endpoint = await endpoints.GetEndpointAsync(session.TeamId, session.EndpointId, context.RequestAborted);
        if (endpoint is null)
        {
            return Refuse(logger, SessionCloseCodes.Forbidden, "endpoint no longer exists", sessionId);
        }

        if (SessionPolicy.CheckMode(endpoint.Spec, session.Mode) != SessionModeDecision.Allowed || !SessionPolicy.AllowsWebSocket(endpoint.Spec))
        {
            return Refuse(logger, SessionCloseCodes.Forbidden, "endpoint no longer allows this session", sessionId);
        }

        if (!SessionPolicy.TryResolveFlow(endpoint.Spec, session.Flow, out var flow))
        {
            return Refuse(logger, SessionCloseCodes.Forbidden, "flow no longer exists", sessionId);
        }

        RealtimeEndpoint backend;
        try
        {
            backend = backends.GetEndpoint();
        }
        catch (InvalidOperationException ex)
        {
            LogBackendUnavailable(logger, sessionId, ex.Message);
            return (null, (int)WebSocketCloseStatus.InternalServerError, "agent backend unavailable");
        }

        // An endpoint with remoteConfig gets its instructions, greeting and tools from its app now (cached, with fallbacks).
        var remote = context.RequestServices.GetRequiredService<RemoteAgentConfig>();
        var spec = await remote.ApplyAsync(endpoint, Transports.WebSocket, flow?.Name, context.RequestAborted);
        return (new SessionStart(session, endpoint with { Spec = spec }, flow, backend), 0, "");
    }

    private static (SessionStart? Start, int Code, string Reason) Refuse(ILogger logger, int code, string reason, Guid? sessionId, string? detail = null)
    {
        LogRefused(logger, code, reason, sessionId, detail);
        return (null, code, reason);
    }

    private static async Task RejectAsync(WebSocket socket, int code, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        // Completes the closing handshake (waits for the client's close) but never longer than 2 s.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseAsync((WebSocketCloseStatus)code, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Session {SessionId} created for endpoint {EndpointId} (mode {Mode}) by key {KeyPrefix}, token {TokenId}")]
    private static partial void LogCreated(ILogger logger, Guid sessionId, Guid endpointId, string mode, string keyPrefix, string tokenId);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Session connection refused with {Code}: {Reason} (session {SessionId}; {Detail})")]
    private static partial void LogRefused(ILogger logger, int code, string reason, Guid? sessionId, string? detail);

    [LoggerMessage(EventId = 612, Level = LogLevel.Error, Message = "Session {SessionId}: no agent backend: {Error}")]
    private static partial void LogBackendUnavailable(ILogger logger, Guid sessionId, string error);

    [LoggerMessage(EventId = 613, Level = LogLevel.Error, Message = "Session WebSocket failed unexpectedly")]
    private static partial void LogFailure(ILogger logger, Exception exception);
}
