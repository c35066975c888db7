using System.Globalization;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>
/// Provider failover: an endpoint's <c>fallback</c> backend takes the call when the primary cannot be reached at the
/// start or is lost mid-call beyond the reconnect budget. It switches once per call and never back; the mid-call switch
/// runs inside <see cref="ReconnectAsync"/>, so the fallback session gets the one replay every new session gets.
/// </summary>
internal sealed partial class CallBridge
{
    /// <summary>The fallback backend while it has not been used (gateway-carried legs only); null once used or when none.</summary>
    private RealtimeEndpoint? _fallbackEndpoint;

    /// <summary>The backend the call failed over from (<c>kind/model</c>), for the journal; null until it has.</summary>
    private string? _failedOverFrom;

    private static string Name(RealtimeEndpoint endpoint) => string.IsNullOrEmpty(endpoint.Model) ? endpoint.Kind : endpoint.Kind + "/" + endpoint.Model;

    /// <summary>Takes what admission found about the fallback: the fallback itself, or why the call already starts on it.</summary>
    private void PrepareFallback(Admission admission)
    {
        _fallbackEndpoint = _remoteLeg is null ? admission.Fallback : null;
        if (admission.FallbackNote is { UsedAtStart: false } missing && _agent?.Spec.Fallback is { } named)
        {
            CallLog.BackendFallbackUnavailable(_logger, CallId, string.IsNullOrEmpty(named.Model) ? named.Backend : named.Backend + "/" + named.Model, missing.Detail);
        }
    }

    /// <summary>Journals a start on the fallback because the primary is not run on this gateway (admission chose it).</summary>
    private void NoteFailoverAtAdmission(Admission admission)
    {
        if (_remoteLeg is null && admission.FallbackNote is { UsedAtStart: true } note && _backendEndpoint is { } fallback)
        {
            _failedOverFrom = note.Primary;
            CallLog.BackendFailover(_logger, CallId, note.Primary, Name(fallback), note.Detail);
            RecordFailover(note.Detail, gapMs: 0, attempts: 0, replayed: 0);
        }
    }

    /// <summary>
    /// Moves the call's backend to the fallback if it has one left: true when the next connect goes there. The caller of
    /// this (the start, or <see cref="ReconnectAsync"/> with its budget spent) connects and journals.
    /// </summary>
    private bool SwitchToFallback(string why)
    {
        if (_fallbackEndpoint is not { } fallback || _backendEndpoint is not { } primary)
        {
            return false;
        }

        _fallbackEndpoint = null;
        _failedOverFrom = Name(primary);
        _backendEndpoint = fallback;
        CallLog.BackendFailover(_logger, CallId, _failedOverFrom, Name(fallback), why);
        return true;
    }

    /// <summary>The journal's record of a failover: a <c>BackendReconnected</c> with reason <c>failover</c> naming both backends.</summary>
    private void RecordFailover(string detail, long gapMs, int attempts, int replayed) =>
        Record(CallEventType.BackendReconnected, reason: ReconnectReasons.Failover, detail: detail, data: FailoverData(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gap_ms"] = gapMs.ToString(CultureInfo.InvariantCulture),
            ["attempts"] = attempts.ToString(CultureInfo.InvariantCulture),
            ["replayed_items"] = replayed.ToString(CultureInfo.InvariantCulture),
            ["gap_frames"] = Interlocked.Read(ref _gapFrames).ToString(CultureInfo.InvariantCulture),
        }));

    /// <summary>Adds which backend the call now runs on and which it left (after a failover) to a <c>BackendReconnected</c>'s data.</summary>
    private Dictionary<string, string> FailoverData(Dictionary<string, string> data)
    {
        if (_failedOverFrom is { } from && _backendEndpoint is { } now)
        {
            data["backend"] = now.Kind;
            data["model"] = now.Model;
            data["from"] = from;
        }

        return data;
    }
}
