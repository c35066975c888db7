using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Server.RateLimiting;
using Switchboard.Server.Sessions;
using Switchboard.Server.Web;
using Switchboard.Sessions;
using Switchboard.Telegram;

namespace Switchboard.Server.Telegram;

/// <summary>
/// The Mini App's routes: <c>GET /miniapp</c> (the page), <c>POST /api/call/bootstrap</c> (launch token + initData → a voice
/// token and <c>wsUrl</c>), <c>WS /ws/call</c> (the call, on the engine's browser leg), <c>POST /api/call/hangup</c>,
/// <c>POST /api/call/finalize</c>, and the bot's <c>POST /telegram/webhook</c>. See docs/telegram.md.
/// </summary>
internal static partial class TelegramEndpoints
{
    public const string PagePath = "/miniapp";
    public const string BootstrapPath = "/api/call/bootstrap";
    public const string CallSocketPath = "/ws/call";
    public const string HangupPath = "/api/call/hangup";
    public const string FinalizePath = "/api/call/finalize";
    public const string WebhookPath = "/telegram/webhook";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(PagePath, (HttpContext context) => WebAssets.Serve(context, "miniapp.html")).ExcludeFromDescription();
        routes.MapPost(BootstrapPath, BootstrapAsync).DisableAntiforgery().ExcludeFromDescription();
        routes.Map(CallSocketPath, ConnectAsync).ExcludeFromDescription();
        routes.MapPost(HangupPath, HangupAsync).DisableAntiforgery().ExcludeFromDescription();
        routes.MapPost(FinalizePath, FinalizeAsync).DisableAntiforgery().ExcludeFromDescription();
        routes.MapPost(WebhookPath, WebhookAsync).DisableAntiforgery().ExcludeFromDescription();
        BridgeSocket.Map(routes);
        ControlRoutes.Map(routes);
    }

    /// <summary>
    /// Checks, in this order: the address's rate limit; the launch token (signature, bridge, expiry); initData (HMAC or
    /// Ed25519, auth_date); that both name the same user (and chat); the bridge's and the user's rate limits; the allow-list;
    /// arming; the bound thread; another call holding the lease; the budget (the engine's admission preflight); then redeems the
    /// token and takes the live-call lease. The token is redeemed only once every refusal the operator can fix has passed, so a user refused for
    /// <c>not_armed</c> can tap the same button again once armed.
    /// </summary>
    private static async Task<IResult> BootstrapAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallSurface surface, BootstrapLimits limits,
        SessionTokenSource tokenSource, ILaunchTokenStore launchTokens, ISessionStore sessions, BridgeEndpoint bridgeEndpoint, CallAdmission admission,
        PublicOrigin origin, IServiceProvider services, TimeProvider time, ILogger<CallSurface> logger)
    {
        var o = options.Value;
        if (!o.Realtime.IsEnabled(o.Telegram) || services.GetService<InitDataVerifier>() is not { } verifier)
        {
            return Refuse(context, logger, CallRefusal.NotEnabled, "Telegram calls are not enabled on this gateway", null);
        }

        if (await limits.TakeForAddressAsync(ClientAddress.PartitionKey(context.Connection.RemoteIpAddress), context.RequestAborted) is { } ipWait)
        {
            return Refuse(context, logger, CallRefusal.RateLimited, "too many call attempts from this address; try again shortly", null, ipWait);
        }

        BootstrapRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, TelegramJsonContext.Default.BootstrapRequest, context.RequestAborted);
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            return Refuse(context, logger, CallRefusal.BadRequest, "the body must be JSON: {\"launchToken\": \"…\", \"initData\": \"…\"}", null);
        }

        var now = time.GetUtcNow();
        var key = await tokenSource.GetLaunchTokenKeyAsync(context.RequestAborted);
        switch (LaunchTokens.Read(key, request.LaunchToken, o.Realtime.BridgeId, now, out var claims))
        {
            case LaunchTokenStatus.Expired:
                return Refuse(context, logger, CallRefusal.LaunchTokenExpired, "this call button has expired: send /call again for a new one", claims!.UserId);
            case not LaunchTokenStatus.Valid:
                return Refuse(context, logger, CallRefusal.LaunchTokenInvalid, "this call link is not valid: send /call to the bot for a new one", null);
        }

        var check = verifier.Verify(request.InitData);
        if (!check.IsValid)
        {
            return Refuse(context, logger, CallRefusal.InitDataInvalid, "Telegram's signature did not check out: " + check.Reason, claims!.UserId);
        }

        var user = check.Data!;
        if (user.UserId != claims!.UserId || (user.ChatId is { } chat && chat != claims.ChatId))
        {
            return Refuse(context, logger, CallRefusal.LaunchTokenInvalid, "this call button was issued to someone else: send /call yourself", user.UserId);
        }

        if (await limits.TakeForCallerAsync(o.Realtime.BridgeId, user.UserId, context.RequestAborted) is { } callerWait)
        {
            return Refuse(context, logger, CallRefusal.RateLimited, $"too many call attempts (per {callerWait.Scope}); try again shortly", user.UserId, callerWait.Wait);
        }

        if (!TelegramBot.IsAuthorized(o.Telegram, user.UserId, claims.ChatId))
        {
            return Refuse(context, logger, CallRefusal.NotAllowed, "you are not allowed to call this bot", user.UserId);
        }

        // With Redis: arming, the thread and the lease as the whole cluster sees them (a failed read leaves the lease untakeable: busy).
        await surface.RefreshAsync();

        if (!surface.IsArmed)
        {
            return Refuse(context, logger, CallRefusal.NotArmed, "calling is not armed: ask the operator to arm it", user.UserId);
        }

        if (surface.ThreadId is not { } threadId)
        {
            return Refuse(context, logger, CallRefusal.NoThread, "no conversation is bound to take the call: the operator's bridge must bind a thread", user.UserId);
        }

        if (bridgeEndpoint.Current is not { } endpoint)
        {
            return Refuse(context, logger, CallRefusal.Busy, "the gateway is still starting; try again in a moment", user.UserId, TimeSpan.FromSeconds(2));
        }

        if (surface.IsBusy)
        {
            return Refuse(context, logger, CallRefusal.Busy, "another call is live or being prepared; try again when it ends", user.UserId, TimeSpan.FromSeconds(5));
        }

        var start = new CallStartInfo { TeamId = endpoint.TeamId, EndpointId = endpoint.Id, Mode = InteractionModes.VoiceConversation };
        if (await admission.PreflightAsync(Transports.WebSocket, start, context.RequestAborted) is { } refusal)
        {
            return refusal.Reason == Refusals.BudgetExhausted
                ? Refuse(context, logger, CallRefusal.BudgetExhausted, "today's call time is used up: " + refusal.Detail, user.UserId, refusal.RetryAfter)
                : Refuse(context, logger, CallRefusal.Busy, "the gateway cannot take a call now: " + refusal.Detail, user.UserId, refusal.RetryAfter);
        }

        if (!await launchTokens.TryConsumeLaunchTokenAsync(claims.Id, claims.ExpiresAt, context.RequestAborted))
        {
            return Refuse(context, logger, CallRefusal.LaunchTokenUsed, "this call button was used already: send /call for a new one", user.UserId);
        }

        var sessionId = Guid.NewGuid();
        if (await surface.TryTakeAsync(sessionId, user.UserId, claims.ChatId, TimeSpan.FromSeconds(o.Realtime.CallTokenTtlSeconds)) is null)
        {
            return Refuse(context, logger, CallRefusal.Busy, "another call is live or being prepared; try again when it ends", user.UserId, TimeSpan.FromSeconds(5));
        }

        try
        {
            var session = new SessionRecord
            {
                Id = sessionId,
                TeamId = endpoint.TeamId,
                EndpointId = endpoint.Id,
                Mode = InteractionModes.VoiceConversation,
                CreatedAt = now,
                ExpiresAt = now.AddSeconds(o.Realtime.MaxCallSeconds + 120),
            };
            await sessions.CreateSessionAsync(session, context.RequestAborted);
            var tokens = await tokenSource.GetAsync(context.RequestAborted);
            var issued = tokens.Issue(session);
            var wsUrl = SocketBase(context, origin) + CallSocketPath + "?sessionId=" + sessionId.ToString("D") + "&token=" + Uri.EscapeDataString(issued.Token);
            LogAccepted(logger, user.UserId, sessionId, threadId, user.BySignature ? "Ed25519 signature" : "HMAC");
            return Results.Json(new BootstrapResponse(sessionId, wsUrl, o.Realtime.CallTokenTtlSeconds, CallTokens.Issue(key, sessionId), o.Realtime.MaxCallSeconds,
                o.Realtime.IdleTimeoutSeconds, threadId), TelegramJsonContext.Default.BootstrapResponse);
        }
        catch
        {
            await surface.ReleaseAsync(sessionId);
            throw;
        }
    }

    /// <summary>
    /// The call's socket: the session token as on <c>/ws/session</c>, and the session must be the one holding the prepared
    /// lease. The call is the engine's (a <see cref="BrowserLeg"/> through <see cref="CallHost"/>); its events go to the bridge
    /// live, and at the end its transcript and artifact. The lease is released however the call ends.
    /// </summary>
    private static async Task ConnectAsync(HttpContext context, ISessionStore store, SessionTokenSource tokenSource, CallHost calls, CallSurface surface,
        IOptions<SwitchboardOptions> options, ICallJournal journal, Switchboard.Artifacts.CallPricing pricing, TimeProvider time, ILogger<CallSurface> logger,
        ILogger<CallBridge> callLogger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await CallRefusal.Result(context, CallRefusal.BadRequest, $"WebSocket upgrade expected: connect to the wsUrl from POST {BootstrapPath}").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var (session, code, reason) = await SessionEndpoints.CheckTokenAsync(context, store, tokenSource, time, logger);
        if (session is null)
        {
            LogSocketRefused(logger, code, reason);
            await SessionEndpoints.RejectAsync(socket, code, reason);
            return;
        }

        // The lease may have been taken by a bootstrap on another node.
        await surface.RefreshAsync();
        if (surface.Lease is not { IsLive: false } lease || lease.SessionId != session.Id)
        {
            LogSocketRefused(logger, SessionCloseCodes.Forbidden, "no prepared call for this session");
            await SessionEndpoints.RejectAsync(socket, SessionCloseCodes.Forbidden, "this call is over or was never prepared: tap Call again");
            return;
        }

        string? callId = null;
        string? endReason = null;
        try
        {
            var leg = new BrowserLeg(socket, session, options.Value.Sessions, time, callLogger);
            // Disposed at the end of this block, before the bridge is sent the transcript and artifact.
            await using var call = calls.Create(leg, context.RequestAborted);
            if (!await surface.TryGoLiveAsync(session.Id, call.CallId, r => call.EndWithGoodbyeAsync(CallEndReason.OperatorHangup, r, null)))
            {
                await SessionEndpoints.RejectAsync(socket, SessionCloseCodes.Forbidden, "the call's slot lapsed: tap Call again");
                return;
            }

            callId = call.CallId;

            using var watch = (journal as CallEventTap)?.Watch(call.CallId, e => BridgeMessages.Forward(surface, lease.ThreadId, e));
            try
            {
                await call.RunAsync();
            }
            finally
            {
                endReason = call.EndReason;
                await surface.ReleaseAsync(session.Id);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            LogCallFailed(logger, ex);
            await surface.ReleaseAsync(session.Id);
            await SessionEndpoints.RejectAsync(socket, SessionCloseCodes.InternalError, "internal error");
        }
        finally
        {
            if (callId is not null)
            {
                LogCallEnded(logger, callId, endReason ?? "unknown");
                await BridgeMessages.PublishEndedAsync(surface, journal, pricing, callId, lease.ThreadId, endReason, CancellationToken.None);
            }
        }
    }

    /// <summary>Hang-up: by the operator (the control secret) or by the page (its session's call token). Ends after the agent's goodbye.</summary>
    private static async Task<IResult> HangupAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallSurface surface, SessionTokenSource tokenSource)
    {
        if (ControlSecret.IsPresented(context, options.Value.Realtime.ControlSecret))
        {
            var ended = await surface.HangUpAsync("hung up by the operator");
            return Results.Json(new Dictionary<string, object?> { ["status"] = ended ? "ending" : "no_call" });
        }

        if (await ReadCallTokenAsync(context, tokenSource) is not { } sessionId)
        {
            return CallRefusal.Result(context, CallRefusal.Unauthorized, "send the control secret (Authorization: Bearer …) or the page's sessionId and callToken");
        }

        return Results.Json(new Dictionary<string, object?> { ["status"] = await EndAsync(surface, sessionId, "hung up in the Mini App") ? "ending" : "no_call" });
    }

    /// <summary>The page says its call is over (idempotent): a lease it still holds is released, a call still live is ended.</summary>
    private static async Task<IResult> FinalizeAsync(HttpContext context, CallSurface surface, SessionTokenSource tokenSource)
    {
        if (await ReadCallTokenAsync(context, tokenSource) is not { } sessionId)
        {
            return CallRefusal.Result(context, CallRefusal.Unauthorized, "send the page's sessionId and callToken");
        }

        await EndAsync(surface, sessionId, "the Mini App finalized the call");
        return Results.Json(new Dictionary<string, object?> { ["status"] = "finalized", ["sessionId"] = sessionId.ToString("D") });
    }

    private static async Task<bool> EndAsync(CallSurface surface, Guid sessionId, string reason)
    {
        await surface.RefreshAsync();
        if (surface.Lease is not { } lease || lease.SessionId != sessionId)
        {
            return false;
        }

        return lease.IsLive ? await surface.HangUpAsync(reason) : await surface.ReleaseAsync(sessionId);
    }

    private static async Task<Guid?> ReadCallTokenAsync(HttpContext context, SessionTokenSource tokenSource)
    {
        CallTokenRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, TelegramJsonContext.Default.CallTokenRequest, context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }

        if (request?.SessionId is not { } sessionId)
        {
            return null;
        }

        var key = await tokenSource.GetLaunchTokenKeyAsync(context.RequestAborted);
        return CallTokens.Verify(key, sessionId, request.CallToken) ? sessionId : null;
    }

    /// <summary>
    /// Bot updates in webhook mode. Telegram signs nothing: it echoes the <c>secret_token</c> in
    /// <c>X-Telegram-Bot-Api-Secret-Token</c>, compared here in constant time (403 otherwise). A redelivered update is acknowledged once more and not handled again.
    /// </summary>
    private static async Task<IResult> WebhookAsync(HttpContext context, IOptions<SwitchboardOptions> options, IServiceProvider services, WebhookUpdates seen,
        ILogger<CallSurface> logger)
    {
        var telegram = options.Value.Telegram;
        if (telegram.Mode != "webhook" || services.GetService<TelegramBot>() is not { } bot)
        {
            return CallRefusal.Result(context, CallRefusal.NotFound, "the bot is not in webhook mode");
        }

        var given = context.Request.Headers["X-Telegram-Bot-Api-Secret-Token"].ToString();
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(given)),
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(telegram.WebhookSecret ?? ""))) || given.Length == 0)
        {
            LogWebhookRejected(logger);
            return Results.Json(new RefusalBody("forbidden", "wrong or missing X-Telegram-Bot-Api-Secret-Token"), TelegramJsonContext.Default.RefusalBody, statusCode: StatusCodes.Status403Forbidden);
        }

        global::Telegram.Bot.Types.Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<global::Telegram.Bot.Types.Update>(context.Request.Body, global::Telegram.Bot.JsonBotAPI.Options, context.RequestAborted);
        }
        catch (JsonException)
        {
            return CallRefusal.Result(context, CallRefusal.BadRequest, "the body is not a Telegram update");
        }

        if (update is not null && seen.FirstTime(update.Id))
        {
            await bot.HandleUpdateAsync(update, context.RequestAborted);
        }

        return Results.Ok();
    }

    /// <summary>ws(s)://host of the socket: the public origin when there is one (behind a tunnel the request is plain http), else the request's own.</summary>
    private static string SocketBase(HttpContext context, PublicOrigin origin)
    {
        if (origin.Current is { } current && Uri.TryCreate(current, UriKind.Absolute, out var uri))
        {
            return (uri.Scheme == "https" ? "wss://" : "ws://") + uri.Authority + uri.AbsolutePath.TrimEnd('/');
        }

        return (context.Request.IsHttps ? "wss://" : "ws://") + context.Request.Host + context.Request.PathBase;
    }

    private static IResult Refuse(HttpContext context, ILogger logger, string code, string message, long? userId, TimeSpan? retryAfter = null)
    {
        LogRefused(logger, code, message, userId);
        return CallRefusal.Result(context, code, message, retryAfter);
    }

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramBootstrapRefused, Level = LogLevel.Information, Message = "Mini App bootstrap refused: {Code} ({Reason}; user {UserId})")]
    private static partial void LogRefused(ILogger logger, string code, string reason, long? userId);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramBootstrapAccepted, Level = LogLevel.Information, Message = "Mini App bootstrap for user {UserId}: session {SessionId}, thread {ThreadId} (initData by {Proof})")]
    private static partial void LogAccepted(ILogger logger, long userId, Guid sessionId, string threadId, string proof);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramCallSocketRefused, Level = LogLevel.Information, Message = "Mini App call socket refused with {Code}: {Reason}")]
    private static partial void LogSocketRefused(ILogger logger, int code, string reason);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramCallEnded, Level = LogLevel.Information, Message = "Mini App call {CallId} ended: {EndReason}")]
    private static partial void LogCallEnded(ILogger logger, string callId, string endReason);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramCallFailed, Level = LogLevel.Error, Message = "Mini App call failed unexpectedly")]
    private static partial void LogCallFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramWebhookRejected, Level = LogLevel.Warning, Message = "Telegram webhook refused: wrong or missing secret token")]
    private static partial void LogWebhookRejected(ILogger logger);
}
