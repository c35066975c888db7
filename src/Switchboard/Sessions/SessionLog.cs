using Microsoft.Extensions.Logging;

namespace Switchboard.Sessions;

/// <summary>Source-generated log messages of session conversations (event ids 600-619). Never log tokens or message text.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = Diagnostics.EventIds.SessionSuperseded, Level = LogLevel.Information, Message = "Session {SessionId}: call {CallId} superseded by a newer connection")]
    public static partial void Superseded(ILogger logger, Guid sessionId, string callId);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionClientError, Level = LogLevel.Debug, Message = "Session {SessionId}: client error {Code}")]
    public static partial void ClientError(ILogger logger, Guid sessionId, string code);

    [LoggerMessage(EventId = Diagnostics.EventIds.SessionBrowserAction, Level = LogLevel.Information, Message = "Session {SessionId}: browser action {Action} ({ActionId}) -> {Outcome}")]
    public static partial void BrowserAction(ILogger logger, Guid sessionId, string action, string actionId, string outcome);
}
