using Microsoft.Extensions.Logging;
using Switchboard.Configuration;

namespace Switchboard.LocalAgent;

/// <summary>Source-generated log messages of the local backend (event ids 4100–4199). Never logs audio or secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Local realtime session {SessionId} started in {Mode} mode")]
    public static partial void SessionStarted(this ILogger logger, string sessionId, LocalAgentMode mode);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Local realtime session {SessionId} ended: {Reason}")]
    public static partial void SessionEnded(this ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Session {SessionId} answered client event {ClientEventType} with error {Code}")]
    public static partial void ClientError(this ILogger logger, string sessionId, string? clientEventType, string code);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "Session {SessionId} response {ResponseId} started (out of band: {OutOfBand}, function call: {FunctionCall})")]
    public static partial void ResponseStarted(this ILogger logger, string sessionId, string responseId, bool outOfBand, bool functionCall);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "Session {SessionId} response {ResponseId} {Status} after {AudioMs:0} ms of audio")]
    public static partial void ResponseFinished(this ILogger logger, string sessionId, string responseId, string status, double audioMs);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Debug, Message = "Session {SessionId} caller turn {ItemId}: {SpeechMs} ms of speech")]
    public static partial void CallerTurn(this ILogger logger, string sessionId, string itemId, long speechMs);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Debug, Message = "Session {SessionId} barge-in cancelled response {ResponseId}")]
    public static partial void BargeIn(this ILogger logger, string sessionId, string responseId);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "Session {SessionId} closed: client message exceeded {MaxBytes} bytes")]
    public static partial void MessageTooBig(this ILogger logger, string sessionId, int maxBytes);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Error, Message = "Session {SessionId} response {ResponseId} failed")]
    public static partial void ResponseFailed(this ILogger logger, Exception exception, string sessionId, string responseId);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Debug, Message = "Session {SessionId} truncated item {ItemId} at {AudioEndMs} ms")]
    public static partial void Truncated(this ILogger logger, string sessionId, string itemId, int audioEndMs);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Error, Message = "Session {SessionId} failed")]
    public static partial void SessionFailed(this ILogger logger, Exception exception, string sessionId);
}
