using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.SipConnector;

/// <summary>Log messages of the SIP connector's core (REST calls, deduplication). Never a secret, a number or a SIP header value.</summary>
internal static partial class SipLog
{
    [LoggerMessage(EventId = EventIds.SipControlAnswered, Level = LogLevel.Information, Message = "SIP call {SipCallId}: {Provider} {Action} answered {Status}")]
    public static partial void ControlAnswered(ILogger logger, string sipCallId, string provider, string action, int status);

    [LoggerMessage(EventId = EventIds.SipControlNotConfigured, Level = LogLevel.Warning, Message = "SIP call {SipCallId}: {Action} not sent: {Reason}")]
    public static partial void ControlNotConfigured(ILogger logger, string sipCallId, string action, string reason);

    [LoggerMessage(EventId = EventIds.SipControlFailed, Level = LogLevel.Warning, Message = "SIP call {SipCallId}: {Provider} {Action} failed: {Error}")]
    public static partial void ControlFailed(ILogger logger, string sipCallId, string provider, string action, string error);

    [LoggerMessage(EventId = EventIds.SipAcceptRetriedWithVoice, Level = LogLevel.Information, Message = "SIP call {SipCallId}: {Provider} refused audio.output.voice; accepting again with the older voice field")]
    public static partial void AcceptRetriedWithVoice(ILogger logger, string sipCallId, string provider);

    [LoggerMessage(EventId = EventIds.SipDeduplicationStoreFailed, Level = LogLevel.Warning, Message = "SIP webhook deduplication fell back to this process's memory: the database failed ({ErrorType}: {Error})")]
    public static partial void DeduplicationStoreFailed(ILogger logger, string errorType, string error);
}
