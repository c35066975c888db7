using Microsoft.Extensions.Logging;

namespace Switchboard.Calls;

/// <summary>Source-generated log messages of the call path, with stable event ids. Never log audio or secrets.</summary>
internal static partial class CallLog
{
    [LoggerMessage(EventId = Diagnostics.EventIds.CallStarted, Level = LogLevel.Information, Message = "Call {CallId} started on {Carrier} (carrier call {CarrierCallId}, stream {StreamId}, format {Format}) -> backend {Backend} ({BackendFormat})")]
    public static partial void CallStarted(ILogger logger, string callId, string carrier, string? carrierCallId, string? streamId, string format, string backend, string backendFormat);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallEnded, Level = LogLevel.Information, Message = "Call {CallId} ended: {Reason} after {DurationMs} ms ({Detail})")]
    public static partial void CallEnded(ILogger logger, string callId, string reason, long durationMs, string? detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallCarrierProtocolViolation, Level = LogLevel.Warning, Message = "Call {CallId}: closing carrier stream with {CloseCode}: {Reason}")]
    public static partial void CarrierProtocolViolation(ILogger logger, string callId, int closeCode, string reason);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallUnknownCarrierEvent, Level = LogLevel.Information, Message = "Call {CallId}: ignoring unknown carrier event '{EventName}'")]
    public static partial void UnknownCarrierEvent(ILogger logger, string callId, string eventName);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendUnavailable, Level = LogLevel.Error, Message = "Call {CallId}: backend {Backend} unavailable: {Error}")]
    public static partial void BackendUnavailable(ILogger logger, string callId, string backend, string error);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendDisconnected, Level = LogLevel.Warning, Message = "Call {CallId}: backend disconnected ({CloseStatus} {CloseDescription})")]
    public static partial void BackendDisconnected(ILogger logger, string callId, string? closeStatus, string? closeDescription);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBargeIn, Level = LogLevel.Information, Message = "Call {CallId}: barge-in on item {ItemId}, caller heard {HeardMs} of {GeneratedMs} ms")]
    public static partial void BargeIn(ILogger logger, string callId, string itemId, long heardMs, long generatedMs);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendError, Level = LogLevel.Warning, Message = "Call {CallId}: backend error {ErrorType}/{Code}: {Message}")]
    public static partial void BackendError(ILogger logger, string callId, string errorType, string? code, string message);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBenignBackendError, Level = LogLevel.Debug, Message = "Call {CallId}: benign backend error {Code}: {Message}")]
    public static partial void BenignBackendError(ILogger logger, string callId, string? code, string message);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallUnparseableBackendEvent, Level = LogLevel.Warning, Message = "Call {CallId}: unparseable backend event ({Length} bytes)")]
    public static partial void UnparseableBackendEvent(ILogger logger, string callId, int length);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallCarrierError, Level = LogLevel.Warning, Message = "Call {CallId}: carrier reported an error: {Detail}")]
    public static partial void CarrierError(ILogger logger, string callId, string? detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallUnexpectedFailure, Level = LogLevel.Error, Message = "Call {CallId}: unexpected failure")]
    public static partial void UnexpectedFailure(ILogger logger, string callId, Exception exception);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendFormatMismatch, Level = LogLevel.Warning, Message = "Call {CallId}: backend session uses {Actual} where {Requested} was requested")]
    public static partial void BackendFormatMismatch(ILogger logger, string callId, string actual, string requested);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallAdmissionRefused, Level = LogLevel.Warning, Message = "Call {CallId}: {Carrier} call refused: {Reason}")]
    public static partial void AdmissionRefused(ILogger logger, string callId, string carrier, string reason);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallAdmissionFailed, Level = LogLevel.Error, Message = "Call {CallId}: endpoint lookup failed: {Error}")]
    public static partial void AdmissionFailed(ILogger logger, string callId, string error);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallToolFailed, Level = LogLevel.Warning, Message = "Call {CallId}: tool {Tool} failed: {Error}")]
    public static partial void ToolFailed(ILogger logger, string callId, string tool, string error);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallAgentEnded, Level = LogLevel.Information, Message = "Call {CallId}: ended {EndReason} after its goodbye (carrier hang-up: {Outcome})")]
    public static partial void EndedAfterGoodbye(ILogger logger, string callId, string endReason, string outcome);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallMediaTimeout, Level = LogLevel.Warning, Message = "Call {CallId}: no media from the carrier for {Seconds} s; closing the stream (1008 media timeout)")]
    public static partial void MediaTimeout(ILogger logger, string callId, int seconds);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallLimitWarning, Level = LogLevel.Information, Message = "Call {CallId}: limit warning {Kind}")]
    public static partial void LimitWarning(ILogger logger, string callId, string kind);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallLimitReached, Level = LogLevel.Information, Message = "Call {CallId}: ending {EndReason} with a goodbye: {Detail}")]
    public static partial void LimitReached(ILogger logger, string callId, string endReason, string detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallAdmissionLimited, Level = LogLevel.Information, Message = "Call {CallId} on {Channel} refused ({Reason}): {Detail}")]
    public static partial void AdmissionLimited(ILogger logger, string callId, string channel, string reason, string detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallAnswerFailed, Level = LogLevel.Warning, Message = "Call {CallId}: the leg could not answer the call ({Status}): {Detail}")]
    public static partial void AnswerFailed(ILogger logger, string callId, string status, string detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallRemoteEnded, Level = LogLevel.Information, Message = "Call {CallId}: the call's agent leg {How} ({Detail}): the call is over")]
    public static partial void RemoteCallEnded(ILogger logger, string callId, string how, string detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallTransferOutcome, Level = LogLevel.Information, Message = "Call {CallId}: transfer to {Target}: {Outcome}")]
    public static partial void TransferOutcome(ILogger logger, string callId, string target, string outcome);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendDropped, Level = LogLevel.Warning, Message = "Call {CallId}: backend session dropped ({Detail}); reconnecting within {BudgetMs} ms")]
    public static partial void BackendDropped(ILogger logger, string callId, string detail, long budgetMs);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendReconnectAttemptFailed, Level = LogLevel.Information, Message = "Call {CallId}: reconnect attempt {Attempt} failed: {Error}")]
    public static partial void BackendReconnectAttemptFailed(ILogger logger, string callId, int attempt, string error);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendReconnected, Level = LogLevel.Information, Message = "Call {CallId}: backend session regained ({Reason}) after {GapMs} ms and {Attempts} attempt(s); {Items} item(s) replayed")]
    public static partial void BackendReconnected(ILogger logger, string callId, string reason, long gapMs, int attempts, int items);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendReconnectGaveUp, Level = LogLevel.Error, Message = "Call {CallId}: backend not regained after {Attempts} attempt(s) in {GapMs} ms: {Error}")]
    public static partial void BackendReconnectGaveUp(ILogger logger, string callId, int attempts, long gapMs, string error);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendRecycling, Level = LogLevel.Information, Message = "Call {CallId}: recycling the backend session after {AgeMinutes} min")]
    public static partial void BackendRecycling(ILogger logger, string callId, long ageMinutes);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendFailover, Level = LogLevel.Warning, Message = "Call {CallId}: failing over from backend {From} to {To}: {Detail}")]
    public static partial void BackendFailover(ILogger logger, string callId, string from, string to, string detail);

    [LoggerMessage(EventId = Diagnostics.EventIds.CallBackendFallbackUnavailable, Level = LogLevel.Warning, Message = "Call {CallId}: the endpoint's fallback backend {Fallback} is not available on this gateway: {Detail}")]
    public static partial void BackendFallbackUnavailable(ILogger logger, string callId, string fallback, string detail);
}
