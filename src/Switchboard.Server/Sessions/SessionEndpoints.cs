using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Chatbot;
using Switchboard.Journal;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Diagnostics;
using Switchboard.Server.Api;
using Switchboard.Server.Hosting;
using Switchboard.Server.RateLimiting;
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
        routes.MapPost(CreatePath, CreateAsync).RequireScope(ApiScopes.CreateCallToken).RequireSessionRateLimit().DisableAntiforgery()
            .WithTags("Sessions")
            .WithName("CreateSession")
            .WithSummary("Create a session for the session WebSocket")
            .WithDescription("Creates a session on one of the team's endpoints and a short-lived `wsToken`; hand `wsUrl` to the client, which connects to `/ws/session` (see docs/sessions.md). The endpoint must allow the `websocket` carrier and the mode (`text`, `audio_playback`, `voice_conversation` or `browser_actions`). " +
                "Mode `listen` follows a live call of the team instead (`callId`: its call id, carrier call id or session id; `endpointId` optional): the call's endpoint must allow `listen`; " +
                "the listener hears both sides and reads the transcript, and sends nothing to the call. 404 when no such call is live on this node (another team's, unknown or ended).")
            .WithJsonBody<CreateSessionRequest>()
            .Produces<CreateSessionResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        routes.Map(SocketPath, ConnectAsync).RequireClientRateLimit(RateLimitBucket.SessionSocketsPerIp);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ISessionStore store, IEndpointStore endpoints, SessionTokenSource tokenSource, CallAdmission admission,
        CallRegistry registry, IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<SessionTokenSource> logger)
    {
        var caller = ApiCaller.From(context);
        var (body, problem) = await ApiRequestBody.ReadAsync(context.Request, context.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (!CreateSessionRequest.TryParse(body, out var request, out var invalid))
        {
            return ApiProblems.BadRequest(invalid!);
        }

        if (!InteractionModes.IsKnown(request!.Mode))
        {
            return ApiProblems.BadRequest($"unknown mode '{request.Mode}'; known modes: {string.Join(", ", InteractionModes.All)}");
        }

        if (request.Mode == InteractionModes.Listen)
        {
            return await CreateListenAsync(context, store, endpoints, tokenSource, registry, options.Value, time, logger, request, caller.TeamId, caller.KeyPrefix);
        }

        var endpoint = await endpoints.GetEndpointAsync(caller.TeamId, request.EndpointId!.Value, context.RequestAborted);
        if (endpoint is null)
        {
            return ApiProblems.NotFound($"endpoint {request.EndpointId} not found");
        }

        return await IssueAsync(context, store, tokenSource, admission, options.Value, time, logger, endpoint, request.Mode, request.Flow, caller.KeyPrefix);
    }

    /// <summary>
    /// Checks that <paramref name="endpoint"/> admits a session in <paramref name="mode"/> (and <paramref name="flowName"/>),
    /// stores the session and answers 201 with its token and URL. Shared by the API and the keyless demo route.
    /// </summary>
    internal static async Task<IResult> IssueAsync(HttpContext context, ISessionStore store, SessionTokenSource tokenSource, CallAdmission admission,
        SwitchboardOptions options, TimeProvider time, ILogger logger, AgentEndpoint endpoint, string mode, string? flowName, string issuedBy)
    {
        var spec = endpoint.Spec;
        if (mode == InteractionModes.Listen)
        {
            // Only the API's create route names the call a listener follows.
            return ApiProblems.BadRequest($"mode '{mode}' needs a callId: create it with POST {CreatePath}");
        }

        switch (EndpointPolicy.CheckMode(spec, mode))
        {
            case SessionModeDecision.NotAllowedByEndpoint:
                return ApiProblems.Forbidden($"endpoint '{endpoint.Name}' does not allow mode '{mode}' (its modes: {string.Join(", ", spec.Modes ?? [])})");
            case SessionModeDecision.NotImplemented:
                return ApiProblems.BadRequest($"mode '{mode}' is not available yet on this gateway; available: {string.Join(", ", InteractionModes.Implemented)}");
        }

        if (!EndpointPolicy.AllowsChannel(spec, Transports.WebSocket))
        {
            return ApiProblems.Forbidden($"endpoint '{endpoint.Name}' does not allow the '{Transports.WebSocket}' carrier (its carriers: {string.Join(", ", spec.Carriers ?? [])})");
        }

        if (!EndpointPolicy.TryResolveFlow(spec, flowName, out var flow))
        {
            var declared = new[] { EndpointPolicy.DefaultFlow }.Concat((spec.Flows ?? []).Select(f => f.Name)).Distinct(StringComparer.Ordinal);
            return ApiProblems.BadRequest($"unknown flow '{flowName}'; this endpoint's flows: {string.Join(", ", declared)}");
        }

        // The limits refuse now (429) rather than hand out a token whose socket would be refused (4429) a moment later.
        var start = new CallStartInfo { TeamId = endpoint.TeamId, EndpointId = endpoint.Id, Mode = mode, Flow = flow?.Name };
        if (await admission.PreflightAsync(Transports.WebSocket, start, context.RequestAborted) is { } refusal)
        {
            return ApiProblems.TooManyRequests("Call refused by limits", $"{refusal.Reason}: {refusal.Detail}", refusal.RetryAfterSeconds);
        }

        return await StoreAndIssueAsync(context, store, tokenSource, options, time, logger, endpoint, mode, flow?.Name, null, issuedBy);
    }

    /// <summary>Stores a session admitted on <paramref name="endpoint"/> and answers 201 with its token and URL.</summary>
    private static async Task<IResult> StoreAndIssueAsync(HttpContext context, ISessionStore store, SessionTokenSource tokenSource, SwitchboardOptions options,
        TimeProvider time, ILogger logger, AgentEndpoint endpoint, string mode, string? flow, string? listenTo, string issuedBy)
    {
        var spec = endpoint.Spec;
        var now = time.GetUtcNow();
        var ttlSeconds = spec.Limits?.SessionTtlSeconds is > 0 ? spec.Limits.SessionTtlSeconds : new LimitsSpec().SessionTtlSeconds;
        var session = new SessionRecord
        {
            Id = Guid.NewGuid(),
            TeamId = endpoint.TeamId,
            EndpointId = endpoint.Id,
            Mode = mode,
            Flow = flow,
            CreatedAt = now,
            ExpiresAt = now.AddSeconds(ttlSeconds),
        };
        await store.CreateSessionAsync(session, context.RequestAborted);
        // The session's call continues this request's trace (docs/observability.md).
        context.RequestServices.GetService<Switchboard.Server.Telemetry.SessionTraces>()?.RememberCurrent(session.Id, session.ExpiresAt);

        ChatbotConversationResponse? chatbot = null;
        if (spec.Chatbot is { } binding)
        {
            // The conversation a chatbot calls back into; its token is shown once, here, and kept only as a hash.
            var (chatbotToken, hash) = ChatbotTokens.Issue();
            var conversation = new ChatbotConversation
            {
                Id = ChatbotTokens.NewConversationId(),
                ChannelId = binding.ChannelId,
                TeamId = endpoint.TeamId,
                EndpointId = endpoint.Id,
                SessionId = session.Id,
                TokenHash = hash,
                CreatedAt = now,
                ExpiresAt = session.ExpiresAt,
            };
            await context.RequestServices.GetRequiredService<IChatbotStore>().CreateChatbotConversationAsync(conversation, context.RequestAborted);
            chatbot = new ChatbotConversationResponse(conversation.Id, chatbotToken, binding.ChannelId,
                PublicUrl.HttpUrl(context.Request, options, Chatbot.ChatbotEndpoints.CallbackPath(binding.ChannelId)), ttlSeconds);
        }

        var tokens = await tokenSource.GetAsync(context.RequestAborted);
        var issued = tokens.Issue(session, listenTo);
        var wsUrl = PublicUrl.WebSocketUrl(context.Request, options, SocketPath)
            + "?sessionId=" + session.Id.ToString("D") + "&token=" + Uri.EscapeDataString(issued.Token);
        LogCreated(logger, session.Id, endpoint.Id, session.Mode, issuedBy, issued.TokenId);
        var webRtc = mode == InteractionModes.VoiceConversation ? options.Sessions.WebRtc : null;
        return Results.Json(
            new CreateSessionResponse(session.Id, issued.Token, (int)tokens.Lifetime.TotalSeconds, ttlSeconds, wsUrl)
            {
                Chatbot = chatbot,
                TelproDomain = string.IsNullOrEmpty(webRtc?.TelproDomain) ? null : webRtc.TelproDomain,
                WebrtcGatewayUrl = string.IsNullOrEmpty(webRtc?.GatewayUrl) ? null : webRtc.GatewayUrl,
            },
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task ConnectAsync(HttpContext context, ISessionStore store, SessionTokenSource tokenSource, CallHost calls, SessionConnections connections,
        IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<SessionTokenSource> logger, ILogger<CallBridge> callLogger, ILogger<ListenSession> listenLogger)
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
            var (session, listenTo, code, reason) = await CheckSessionAsync(context, store, tokenSource, time, logger);
            if (session is null)
            {
                await RejectAsync(socket, code, reason);
                return;
            }

            if (session.Mode == InteractionModes.Listen)
            {
                await ListenAsync(context, socket, session, listenTo!, options.Value, time, listenLogger);
                return;
            }

            // The endpoint as it is now, the backend and the remote configuration are the call engine's admission.
            var leg = new BrowserLeg(socket, session, options.Value.Sessions, time, callLogger);
            await using var call = calls.Create(leg, context.RequestAborted);
            if (context.RequestServices.GetService<Switchboard.Server.Telemetry.SessionTraces>() is { } traces && traces.TryGet(session.Id, out var created))
            {
                call.TraceParent = created;
            }
            // One rule on one node and on many: the newest connection wins, the older one closes 4000.
            await connections.TakeAsync(session.Id, call);

            try
            {
                await call.RunAsync();
            }
            finally
            {
                connections.Unregister(session.Id, call);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            LogFailure(logger, ex);
            await RejectAsync(socket, SessionCloseCodes.InternalError, "internal error");
        }
    }

    /// <summary>The host's part of admission: the query's session and token, and the session's record and expiry.</summary>
    internal static async Task<(SessionRecord? Session, int Code, string Reason)> CheckTokenAsync(HttpContext context, ISessionStore store, SessionTokenSource tokenSource,
        TimeProvider time, ILogger logger)
    {
        var (session, _, code, reason) = await CheckSessionAsync(context, store, tokenSource, time, logger);
        return (session, code, reason);
    }

    /// <summary>As <see cref="CheckTokenAsync"/>, also answering which call a listen session follows (from its token).</summary>
    private static async Task<(SessionRecord? Session, string? ListenTo, int Code, string Reason)> CheckSessionAsync(HttpContext context, ISessionStore store,
        SessionTokenSource tokenSource, TimeProvider time, ILogger logger)
    {
        var query = context.Request.Query;
        var sessionText = query["sessionId"].ToString();
        var token = query["token"].ToString();
        if (string.IsNullOrEmpty(sessionText))
        {
            return Refused(logger, SessionCloseCodes.MissingCredentials, "missing sessionId", null);
        }

        if (string.IsNullOrEmpty(token))
        {
            return Refused(logger, SessionCloseCodes.MissingCredentials, "missing token", null);
        }

        if (!Guid.TryParse(sessionText, out var sessionId))
        {
            return Refused(logger, SessionCloseCodes.Forbidden, "unknown session", null);
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
            return Refused(logger, SessionCloseCodes.Forbidden, reason, sessionId, checkedToken.Status.ToString());
        }

        var claims = checkedToken.Claims!;
        var session = await store.GetSessionAsync(sessionId, context.RequestAborted);
        if (session is null)
        {
            return Refused(logger, SessionCloseCodes.Forbidden, "unknown session", sessionId);
        }

        if (session.TeamId != claims.TeamId || session.EndpointId != claims.EndpointId || session.Mode != claims.Mode)
        {
            return Refused(logger, SessionCloseCodes.Forbidden, "invalid token", sessionId, "claims differ from the session");
        }

        if (session.ExpiresAt <= time.GetUtcNow())
        {
            return Refused(logger, SessionCloseCodes.Forbidden, "session expired", sessionId);
        }

        if (session.Mode == InteractionModes.Listen && claims.ListenTo is null)
        {
            return Refused(logger, SessionCloseCodes.Forbidden, "invalid token", sessionId, "a listen session's token names no call");
        }

        return (session, claims.ListenTo, 0, "");
    }

    private static (SessionRecord? Session, string? ListenTo, int Code, string Reason) Refused(ILogger logger, int code, string reason, Guid? sessionId, string? detail = null)
    {
        LogRefused(logger, code, reason, sessionId, detail);
        return (null, null, code, reason);
    }

    internal static async Task RejectAsync(WebSocket socket, int code, string reason)
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

    [LoggerMessage(EventId = EventIds.SessionCreated, Level = LogLevel.Information, Message = "Session {SessionId} created for endpoint {EndpointId} (mode {Mode}) by key {KeyPrefix}, token {TokenId}")]
    private static partial void LogCreated(ILogger logger, Guid sessionId, Guid endpointId, string mode, string keyPrefix, string tokenId);

    [LoggerMessage(EventId = EventIds.SessionConnectionRefused, Level = LogLevel.Information, Message = "Session connection refused with {Code}: {Reason} (session {SessionId}; {Detail})")]
    private static partial void LogRefused(ILogger logger, int code, string reason, Guid? sessionId, string? detail);

    [LoggerMessage(EventId = EventIds.SessionWebSocketFailed, Level = LogLevel.Error, Message = "Session WebSocket failed unexpectedly")]
    private static partial void LogFailure(ILogger logger, Exception exception);
}
