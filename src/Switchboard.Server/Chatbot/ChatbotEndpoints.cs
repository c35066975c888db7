using System.Diagnostics;
using Switchboard.Chatbot;
using Switchboard.Diagnostics;
using Switchboard.Server.Api;
using Switchboard.Server.RateLimiting;
using Switchboard.Sessions;
using Switchboard.Telemetry;

namespace Switchboard.Server.Chatbot;

/// <summary>
/// Inbound chatbot callbacks (the TelAPI edge's TOBi webhook): <c>POST /api/v1/webhooks/tobi/{channelId}</c>. In order:
/// (1) the query's <c>traceId</c>/<c>parentSpanId</c> (400 naming a malformed one), and the request continues that trace;
/// (2) the channel (404 unknown); (3) the <c>token</c> header (401 missing); (4) the body through the API's body reader
/// (415, 413, 400) and <c>conversation.identifier.id</c> (400 naming it); (5) the conversation and its token, compared as
/// SHA-256 hashes in constant time (401; an unknown conversation or one of another channel is the same 401, so ids cannot
/// be probed); (6) the session's lifetime (410 once it has ended) and its live connection on this node (409 without one);
/// (7) the body is appended to the conversation's inbound stream and its texts delivered to the live call (spoken in voice
/// modes, <c>chatbot</c> messages in text mode); 200 with the stream entry's id.
/// </summary>
internal static partial class ChatbotEndpoints
{
    public const string Route = "/api/v1/webhooks/tobi/{channelId}";
    public const string TokenHeader = "token";

    /// <summary>The callback path of <paramref name="channelId"/>.</summary>
    public static string CallbackPath(string channelId) => "/api/v1/webhooks/tobi/" + Uri.EscapeDataString(channelId);

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost(Route, CallbackAsync).DisableAntiforgery()
            .WithTags("Webhooks")
            .WithName("ChatbotCallback")
            .WithSummary("Inbound chatbot callback (TOBi / TelAPI edge)")
            .WithDescription("An external chatbot bound to an endpoint (`chatbot.channelId`) sends its messages into the live session that opened the conversation. " +
                "Header `token`: the conversation's token from the session's creation. Query: `traceId` (32 hex) and `parentSpanId` (16 hex) continue the chatbot's trace; `callId` is its own call id. " +
                "Answers `{\"received\": true, \"streamId\": \"<ms>-<seq>\"}`. 401 wrong or missing token, 404 unknown channel, 409 no live connection, 410 the session has ended. See docs/migrating.md.")
            .WithJsonBody<ChatbotCallbackRequest>()
            .Produces<ChatbotCallbackResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireClientRateLimit(RateLimitBucket.CarriersPerIp);

    private static async Task<IResult> CallbackAsync(HttpContext context, string channelId, IChatbotStore store, IInboundStream stream,
        SessionConnections connections, TimeProvider time, ILogger<ChatbotCallback> logger)
    {
        var cancellationToken = context.RequestAborted;

        // (1) The chatbot's trace.
        var query = context.Request.Query;
        if (!TryParent(query["traceId"].ToString(), query["parentSpanId"].ToString(), out var parent, out var traceProblem))
        {
            return Refuse(logger, channelId, traceProblem!, ApiProblems.BadRequest(traceProblem!));
        }

        using var activity = parent is { } p
            ? GatewayTelemetry.Source.StartActivity("chatbot callback", ActivityKind.Server, p)
            : GatewayTelemetry.Source.StartActivity("chatbot callback", ActivityKind.Server);
        activity?.SetTag("switchboard.chatbot.channel", channelId);
        // The chatbot's own call id, for finding this request from its side; bounded so a hostile query cannot bloat the span.
        if (query["callId"].ToString() is { Length: > 0 and <= 128 } chatbotCallId)
        {
            activity?.SetTag("switchboard.chatbot.call_id", chatbotCallId);
        }

        // (2) The channel (one that could never be bound is not looked up, nor echoed).
        if (!IsChannelId(channelId))
        {
            return Refuse(logger, "(malformed)", "unknown channel", ApiProblems.NotFound("no endpoint is bound to this chatbot channel"));
        }

        if (await store.FindChatbotChannelAsync(channelId, cancellationToken) is null)
        {
            return Refuse(logger, channelId, "unknown channel", ApiProblems.NotFound($"no endpoint is bound to chatbot channel '{channelId}'"));
        }

        // (3) A token at all (its value is checked against the conversation's below).
        var token = context.Request.Headers[TokenHeader].ToString();
        if (string.IsNullOrEmpty(token))
        {
            return Refuse(logger, channelId, "missing token", ApiProblems.Unauthorized("the 'token' header is required: the conversation's token from the session's creation"));
        }

        // (4) The body.
        var (body, problem) = await ApiRequestBody.ReadAsync(context.Request, cancellationToken);
        if (problem is not null)
        {
            return Refuse(logger, channelId, "unreadable body", problem);
        }

        if (!ChatbotCallback.TryParse(body, out var callback, out var field, out var invalid))
        {
            return Refuse(logger, channelId, invalid!, ApiProblems.InvalidField(field!, invalid!));
        }

        // (5) The conversation and its token.
        var conversation = await store.GetChatbotConversationAsync(callback!.ConversationId, cancellationToken);
        if (conversation is null || !string.Equals(conversation.ChannelId, channelId, StringComparison.Ordinal) || !ChatbotTokens.Matches(token, conversation.TokenHash))
        {
            return Refuse(logger, channelId, "invalid token", ApiProblems.Unauthorized("the token does not admit callbacks for this conversation"));
        }

        activity?.SetTag(TelemetryNames.SessionId, conversation.SessionId.ToString("D"));

        // (6) The session: ended, or not connected here.
        if (conversation.ExpiresAt <= time.GetUtcNow())
        {
            return Refuse(logger, channelId, "session ended", Results.Problem(statusCode: StatusCodes.Status410Gone, title: "Conversation ended",
                detail: "the session that opened this conversation has ended; the chatbot's messages can no longer reach it"));
        }

        if (connections.Find(conversation.SessionId) is not { } call)
        {
            return Refuse(logger, channelId, "no live connection", Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No live connection",
                detail: "the session has no live connection on this gateway (the client has not connected yet, or has left); retry when it is connected"));
        }

        // (7) Append, deliver, answer.
        var id = (await stream.AppendAsync(conversation.Id, body.GetRawText(), cancellationToken)).ToString();
        foreach (var text in callback.Texts)
        {
            if (!await call.DeliverChatbotAsync(text, id, cancellationToken))
            {
                return Refuse(logger, channelId, "call ending", Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conversation not taking messages",
                    detail: $"the message was stored as {id} but the live conversation is ending, or already has 16 turns waiting"));
            }
        }

        LogAccepted(logger, channelId, conversation.SessionId, call.CallId, id, callback.Texts.Count);
        return Results.Json(new ChatbotCallbackResponse(true, id));
    }

    /// <summary>The chatbot's trace context: both ids, or neither (the request's own trace then).</summary>
    internal static bool TryParent(string traceId, string parentSpanId, out ActivityContext? parent, out string? problem)
    {
        parent = null;
        problem = null;
        if (traceId.Length == 0 && parentSpanId.Length == 0)
        {
            return true;
        }

        if (!IsLowerOrUpperHex(traceId, 32) || traceId.All(c => c == '0'))
        {
            problem = "traceId must be 32 hexadecimal characters, not all zero" + (traceId.Length == 0 ? " (it is required with parentSpanId)" : "");
            return false;
        }

        if (!IsLowerOrUpperHex(parentSpanId, 16) || parentSpanId.All(c => c == '0'))
        {
            problem = "parentSpanId must be 16 hexadecimal characters, not all zero" + (parentSpanId.Length == 0 ? " (it is required with traceId)" : "");
            return false;
        }

        parent = new ActivityContext(ActivityTraceId.CreateFromString(traceId.ToLowerInvariant()), ActivitySpanId.CreateFromString(parentSpanId.ToLowerInvariant()),
            ActivityTraceFlags.Recorded, isRemote: true);
        return true;
    }

    /// <summary>What <c>chatbot.channelId</c> allows on an endpoint: <c>[A-Za-z0-9._:-]{1,128}</c>.</summary>
    private static bool IsChannelId(string value) =>
        value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    private static bool IsLowerOrUpperHex(string value, int length) => value.Length == length && value.All(char.IsAsciiHexDigit);

    private static IResult Refuse(ILogger logger, string channelId, string reason, IResult result)
    {
        LogRefused(logger, channelId, reason);
        Activity.Current?.SetTag(TelemetryNames.Outcome, "refused");
        return result;
    }

    [LoggerMessage(EventId = EventIds.ChatbotCallbackRefused, Level = LogLevel.Information, Message = "Chatbot callback on channel {ChannelId} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string channelId, string reason);

    [LoggerMessage(EventId = EventIds.ChatbotCallbackAccepted, Level = LogLevel.Information, Message = "Chatbot callback on channel {ChannelId} for session {SessionId} (call {CallId}): stream entry {StreamId}, {Texts} message(s) delivered")]
    private static partial void LogAccepted(ILogger logger, string channelId, Guid sessionId, string callId, string streamId, int texts);
}
