using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Journal;

namespace Switchboard.Sessions;

/// <summary>The post-call artifact's hooks in a session conversation: facts at start, hot hand-offs, and the summary before the backend closes.</summary>
internal sealed partial class SessionConversation
{
    private CallSummarizer? _summary;

    /// <summary>At the start: what the artifact needs in <c>CallStarted</c>, the hot hand-off journal hook, and the summarizer.</summary>
    private void PrepareArtifact(Dictionary<string, string> startedData)
    {
        var spec = _start.Endpoint.Spec;
        var options = _services.Options;
        var defaultModel = _backendEndpoint.Kind == "azure" ? options.Azure.Deployment ?? options.OpenAI.Model : options.OpenAI.Model;
        CallArtifactFacts.AddTo(startedData, spec, string.IsNullOrWhiteSpace(spec.Model) ? defaultModel : spec.Model);
        EndpointTools.HotHandoff = (toolCallId, arguments) =>
            Record(CallEventType.HandoffHot, text: HotHandoffTool.Reason(arguments), data: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["call_id"] = toolCallId,
                ["arguments"] = arguments,
            });
        _summary = CallSummarizer.For(spec, TimeSpan.FromSeconds(options.Artifacts.SummaryTimeoutSeconds));
    }

    /// <summary>True when the event is the summary response's (not part of the conversation).</summary>
    private bool IsSummaryEvent(RealtimeServerEvent? evt) => _summary?.Observe(evt) == true;

    /// <summary>
    /// When the endpoint asks for a summary and the backend is still there: asks for it and journals it (with its usage)
    /// before the loops stop. The close grace's pending cancellation is pushed back to cover the wait. Skipped at gateway
    /// shutdown and when the backend is gone.
    /// </summary>
    private async Task SummarizeBeforeCloseAsync()
    {
        if (_summary is not { } summarizer || _backend is not { } backend || _cts.IsCancellationRequested
            || Volatile.Read(ref _endReason) is CallEndReason.BackendDisconnected or CallEndReason.BackendUnavailable or CallEndReason.GatewayShutdown)
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
