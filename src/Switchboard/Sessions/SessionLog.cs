using Microsoft.Extensions.Logging;

namespace Switchboard.Sessions;

/// <summary>Source-generated log messages of session conversations (event ids 600-619). Never log tokens or message text.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = Diagnostics.EventIds.SessionConnected, Level = LogLevel.Information, Message = "Session {SessionId} connected as call {CallId} (endpoint {EndpointId}, mode {Mode}) -> backend {Backend}")]
    public static partial void Connected(ILogger logger, Guid sessionId, string callId, Guid endpointId, string mode, string backend);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionEnded, Level = LogLevel.Information, Message = "Session {SessionId} call {CallId} ended: {Reason} after {DurationMs} ms ({Detail})")]
    public static partial void Ended(ILogger logger, Guid sessionId, string callId, string reason, long durationMs, string? detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionSuperseded, Level = LogLevel.Information, Message = "Session {SessionId}: call {CallId} superseded by a newer connection")]
    public static partial void Superseded(ILogger logger, Guid sessionId, string callId);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionBackendUnavailable, Level = LogLevel.Error, Message = "Session {SessionId}: backend {Backend} unavailable: {Error}")]
    public static partial void BackendUnavailable(ILogger logger, Guid sessionId, string backend, string error);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionBackendDisconnected, Level = LogLevel.Warning, Message = "Session {SessionId}: backend disconnected ({CloseStatus} {CloseDescription})")]
    public static partial void BackendDisconnected(ILogger logger, Guid sessionId, string? closeStatus, string? closeDescription);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionBackendError, Level = LogLevel.Warning, Message = "Session {SessionId}: backend error {ErrorType}/{Code}: {Message}")]
    public static partial void BackendError(ILogger logger, Guid sessionId, string errorType, string? code, string message);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionUnexpectedFailure, Level = LogLevel.Error, Message = "Session {SessionId}: unexpected failure")]
    public static partial void UnexpectedFailure(ILogger logger, Guid sessionId, Exception exception);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionClientError, Level = LogLevel.Debug, Message = "Session {SessionId}: client error {Code}")]
    public static partial void ClientError(ILogger logger, Guid sessionId, string code);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionToolFailed, Level = LogLevel.Warning, Message = "Session {SessionId}: tool {Tool} failed: {Error}")]
    public static partial void ToolFailed(ILogger logger, Guid sessionId, string tool, string error);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionBargeIn, Level = LogLevel.Information, Message = "Session {SessionId}: barge-in truncated {ItemId} at {HeardMs} of {GeneratedMs} ms (position from client: {FromClient})")]
    public static partial void BargeIn(ILogger logger, Guid sessionId, string itemId, long heardMs, long generatedMs, bool fromClient);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionBrowserAction, Level = LogLevel.Information, Message = "Session {SessionId}: browser action {Action} ({ActionId}) -> {Outcome}")]
    public static partial void BrowserAction(ILogger logger, Guid sessionId, string action, string actionId, string outcome);
}
