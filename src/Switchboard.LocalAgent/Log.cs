using Microsoft.Extensions.Logging;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.LocalAgent;

/// <summary>Source-generated log messages of the local backend (event ids 4100–4149, registered in <see cref="EventIds"/>). Never logs audio or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.LocalSessionStarted, Level = LogLevel.Information, Message = "Local realtime session {SessionId} started in {Mode} mode")]
    public static partial void SessionStarted(this ILogger logger, string sessionId, LocalAgentMode mode);

    [LoggerMessage(EventId = EventIds.LocalSessionEnded, Level = LogLevel.Information, Message = "Local realtime session {SessionId} ended: {Reason}")]
    public static partial void SessionEnded(this ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = EventIds.LocalClientError, Level = LogLevel.Debug, Message = "Session {SessionId} answered client event {ClientEventType} with error {Code}")]
    public static partial void ClientError(this ILogger logger, string sessionId, string? clientEventType, string code);

    [LoggerMessage(EventId = EventIds.LocalResponseStarted, Level = LogLevel.Debug, Message = "Session {SessionId} response {ResponseId} started (out of band: {OutOfBand}, function call: {FunctionCall})")]
    public static partial void ResponseStarted(this ILogger logger, string sessionId, string responseId, bool outOfBand, bool functionCall);

    [LoggerMessage(EventId = EventIds.LocalResponseFinished, Level = LogLevel.Debug, Message = "Session {SessionId} response {ResponseId} {Status} after {AudioMs:0} ms of audio")]
    public static partial void ResponseFinished(this ILogger logger, string sessionId, string responseId, string status, double audioMs);

    [LoggerMessage(EventId = EventIds.LocalCallerTurn, Level = LogLevel.Debug, Message = "Session {SessionId} caller turn {ItemId}: {SpeechMs} ms of speech")]
    public static partial void CallerTurn(this ILogger logger, string sessionId, string itemId, long speechMs);

    [LoggerMessage(EventId = EventIds.LocalBargeIn, Level = LogLevel.Debug, Message = "Session {SessionId} barge-in cancelled response {ResponseId}")]
    public static partial void BargeIn(this ILogger logger, string sessionId, string responseId);

    [LoggerMessage(EventId = EventIds.LocalMessageTooBig, Level = LogLevel.Warning, Message = "Session {SessionId} closed: client message exceeded {MaxBytes} bytes")]
    public static partial void MessageTooBig(this ILogger logger, string sessionId, int maxBytes);

    [LoggerMessage(EventId = EventIds.LocalResponseFailed, Level = LogLevel.Error, Message = "Session {SessionId} response {ResponseId} failed")]
    public static partial void ResponseFailed(this ILogger logger, Exception exception, string sessionId, string responseId);

    [LoggerMessage(EventId = EventIds.LocalTruncated, Level = LogLevel.Debug, Message = "Session {SessionId} truncated item {ItemId} at {AudioEndMs} ms")]
    public static partial void Truncated(this ILogger logger, string sessionId, string itemId, int audioEndMs);

    [LoggerMessage(EventId = EventIds.LocalSessionFailed, Level = LogLevel.Error, Message = "Session {SessionId} failed")]
    public static partial void SessionFailed(this ILogger logger, Exception exception, string sessionId);
}
