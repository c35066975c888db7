using Microsoft.Extensions.Logging;

namespace Switchboard.Sessions;

/// <summary>Source-generated log messages of listen sessions (event ids 1330-1349). Never log tokens, text or phone numbers.</summary>
internal static partial class ListenLog
{
    [LoggerMessage(EventId = Diagnostics.EventIds.ListenStarted, Level = LogLevel.Information, Message = "Session {SessionId} listens to call {CallId} ({Listeners} listening)")]
    public static partial void Started(ILogger logger, Guid sessionId, string callId, int listeners);

    [LoggerMessage(EventId = Diagnostics.EventIds.ListenEnded, Level = LogLevel.Information, Message = "Session {SessionId} stopped listening to call {CallId}: {Why}; {Dropped} audio chunks dropped for falling behind")]
    public static partial void Ended(ILogger logger, Guid sessionId, string callId, string why, long dropped);

    [LoggerMessage(EventId = Diagnostics.EventIds.ListenRefused, Level = LogLevel.Information, Message = "Session {SessionId} cannot listen to call {CallId}: {Reason}")]
    public static partial void Refused(ILogger logger, Guid sessionId, string callId, string reason);

    [LoggerMessage(EventId = Diagnostics.EventIds.ListenFailed, Level = LogLevel.Error, Message = "Listen session {SessionId} on call {CallId} failed unexpectedly")]
    public static partial void Failed(ILogger logger, Guid sessionId, string callId, Exception exception);
}
