using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Webhooks;

/// <summary>
/// Which webhooks a journal event announces: a pure function of the event, what the journal already holds about its call,
/// and the prices. The store calls it inside the transaction that appends the event and writes one outbox row per
/// matching subscription there, so a delivery exists exactly when the event it announces is committed (and a retried
/// batch, whose events are already stored, announces nothing again).
/// <list type="bullet">
/// <item><c>CallStarted</c> → <c>call.started</c>; <c>CallRefused</c> → <c>call.refused</c>.</item>
/// <item><c>CallEnded</c> → <c>call.artifact</c> (folded from every event of the call; skipped if that fails, so the artifact
/// can never hold up the call's own events), then <c>call.ended</c>.</item>
/// <item><c>HandoffHot</c> → <c>handoff.hot</c>; a <c>ToolCall</c> whose outcome is not <c>ok</c> → <c>tool.failed</c>
/// (both only when the call's <c>CallStarted</c> names its team).</item>
/// </list>
/// </summary>
internal static class CallEventWebhooks
{
    /// <summary>What <see cref="For"/> needs read from the journal for <paramref name="e"/>.</summary>
    public static CallEventWebhookInput InputFor(CallEvent e) => e.Type switch
    {
        CallEventType.CallStarted or CallEventType.CallRefused => CallEventWebhookInput.Event,
        CallEventType.CallEnded => CallEventWebhookInput.WholeCall,
        CallEventType.HandoffHot => CallEventWebhookInput.WholeCall,
        CallEventType.ToolCall when e.Reason is not null && e.Reason != ToolOutcome.Ok => CallEventWebhookInput.Started,
        _ => CallEventWebhookInput.None,
    };

    /// <summary>
    /// The webhook events <paramref name="e"/> announces, in the order their deliveries are written. <paramref name="stored"/>
    /// holds what <see cref="InputFor"/> asked for (empty when it asked for nothing or nothing is stored).
    /// </summary>
    public static IReadOnlyList<WebhookEvent> For(CallEvent e, IReadOnlyList<CallEvent> stored, CallPricing pricing)
    {
        var input = InputFor(e);
        if (input == CallEventWebhookInput.None)
        {
            return [];
        }

        var started = e.Type == CallEventType.CallStarted ? e : stored.FirstOrDefault(s => s.Type == CallEventType.CallStarted);
        switch (e.Type)
        {
            case CallEventType.CallStarted:
                return CallStartedOrEnded(e, started);

            case CallEventType.CallRefused:
                return Guid.TryParse(Data(e, CallEventKeys.TeamId), out var refusedTeam)
                    ? [new WebhookEvent(WebhookEventTypes.CallRefused, refusedTeam, Guid.TryParse(Data(e, CallEventKeys.EndpointId), out var refusedAt) ? refusedAt : null,
                        WebhookPayloads.CallRefused(e))]
                    : [];

            case CallEventType.CallEnded:
            {
                var events = new List<WebhookEvent>(2);
                if (Artifact(e, stored, pricing) is { } artifact)
                {
                    events.Add(artifact);
                }

                events.AddRange(CallStartedOrEnded(e, started));
                return events;
            }

            default:
            {
                if (started is null || !Guid.TryParse(Data(started, CallEventKeys.TeamId), out var team))
                {
                    return [];
                }

                Guid? endpoint = Guid.TryParse(Data(started, CallEventKeys.EndpointId), out var id) ? id : null;
                return
                [
                    e.Type == CallEventType.HandoffHot
                        ? new WebhookEvent(WebhookEventTypes.HandoffHot, team, endpoint, CallEventPayloads.HandoffHot(started, e, stored))
                        {
                            HandoffUrl = Data(started, CallEventKeys.HandoffUrl),
                            HandoffAuth = Data(started, CallEventKeys.HandoffAuth),
                        }
                        : new WebhookEvent(WebhookEventTypes.ToolFailed, team, endpoint, CallEventPayloads.ToolFailed(started, e)),
                ];
            }
        }
    }

    /// <summary><c>call.started</c> or <c>call.ended</c>, for the team (and endpoint) named by the call's start, else by the event.</summary>
    private static IReadOnlyList<WebhookEvent> CallStartedOrEnded(CallEvent e, CallEvent? started)
    {
        if (Data(started ?? e, CallEventKeys.TeamId) is not { } teamText || !Guid.TryParse(teamText, out var teamId))
        {
            return [];
        }

        Guid? endpointId = Guid.TryParse(Data(started ?? e, CallEventKeys.EndpointId), out var endpoint) ? endpoint : null;
        return
        [
            e.Type == CallEventType.CallStarted
                ? new WebhookEvent(WebhookEventTypes.CallStarted, teamId, endpointId, WebhookPayloads.CallStarted(e))
                : new WebhookEvent(WebhookEventTypes.CallEnded, teamId, endpointId, WebhookPayloads.CallEnded(started, e)),
        ];
    }

    /// <summary><c>call.artifact</c> of the ended call, for the artifact's team; null when it has none or cannot be built.</summary>
    private static WebhookEvent? Artifact(CallEvent ended, IReadOnlyList<CallEvent> call, CallPricing pricing)
    {
        CallArtifact artifact;
        string body;
        try
        {
            artifact = CallArtifactBuilder.Build(call, pricing);
            body = CallEventPayloads.CallArtifact(artifact, ended.At);
        }
        catch (Exception)
        {
            // Never let the artifact hold up (and eventually drop, as a poison batch) the call's own events.
            return null;
        }

        return artifact.TeamId is { } team ? new WebhookEvent(WebhookEventTypes.CallArtifact, team, artifact.Endpoint.Id, body) : null;
    }

    private static string? Data(CallEvent e, string key) => e.Data is { } data && data.TryGetValue(key, out var value) ? value : null;
}
