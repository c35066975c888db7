using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>The post-call artifact's hooks: facts at start, hot hand-offs, and the summary before the backend closes.</summary>
internal sealed partial class CallBridge
{
    private CallSummarizer? _summary;

    /// <summary>At admission: what the artifact needs in <c>CallStarted</c>, the hot hand-off journal hook, and the summarizer.</summary>
    private void PrepareArtifact(Dictionary<string, string> startedData, AgentSpec spec)
    {
        CallArtifactFacts.AddTo(startedData, spec, _backendEndpoint?.Model);
        HandoffTarget.AddTo(startedData, spec, _options.Handoff);
        if (_toolRunner is { } runner)
        {
            runner.HotHandoff = RecordHotHandoff;
        }

        _summary = CallSummarizer.For(spec, TimeSpan.FromSeconds(_options.Artifacts.SummaryTimeoutSeconds));
    }

    private void RecordHotHandoff(string toolCallId, string arguments) =>
        Record(CallEventType.HandoffHot, text: BuiltInTools.Reason(arguments), data: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["call_id"] = toolCallId,
            ["arguments"] = arguments,
        });

    /// <summary>True when the event is the summary response's (not part of the conversation).</summary>
    private bool IsSummaryEvent(Backends.OpenAIRealtime.RealtimeServerEvent? evt) => _summary?.Observe(evt) == true;

    /// <summary>
    /// When the endpoint asks for a summary and the backend is still there: asks for it and journals it (with its usage)
    /// before the backend session closes. The backend loop keeps running meanwhile; a pending short cancellation of the call
    /// is pushed back to cover the wait. Skipped at gateway shutdown.
    /// </summary>
    private async Task SummarizeBeforeCloseAsync()
    {
        if (_summary is not { } summarizer || _backend is not { } backend || _cts.IsCancellationRequested || _backendClosed
            || EndReason is CallEndReason.BackendDisconnected or CallEndReason.BackendUnavailable or CallEndReason.GatewayShutdown)
        {
            return;
        }

        try
        {
            _cts.CancelAfter(summarizer.Timeout + TimeSpan.FromSeconds(1));
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        var token = _cts.Token;
        var result = await summarizer.RequestAsync(m => backend.SendAsync(m, token), token).ConfigureAwait(false);
        if (result is null)
        {
            return;
        }

        if (result.Usage is { } usage)
        {
            Record(CallEventType.Usage, reason: result.Status, data: CallSummarizer.UsageData(result.ResponseId, usage));
        }

        if (result.Text.Length > 0)
        {
            Record(CallEventType.Summary, text: result.Text, data: new Dictionary<string, string>(StringComparer.Ordinal) { ["response_id"] = result.ResponseId });
        }
    }
}
