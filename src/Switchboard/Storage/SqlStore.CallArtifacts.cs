using System.Data.Common;
using System.Text.Json;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Journal;
using Switchboard.Webhooks;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    /// <summary>Prices for the artifact's estimated cost (the built-in list unless the host passes the configured one).</summary>
    public CallPricing Pricing { get; init; } = CallPricing.Default;

    /// <summary>
    /// The outbox rows announced by a journal event other than the call's start and end, inside the batch's transaction:
    /// <c>call.artifact</c> when the call ends (built from every event of the call stored so far, this batch included),
    /// <c>handoff.hot</c> for a hot hand-off, <c>tool.failed</c> for a tool call that did not succeed. A retried batch
    /// inserts nothing again (its events are already stored), so each is enqueued once per subscription.
    /// </summary>
    private async Task<int> EnqueueArtifactWebhooksAsync(DbConnection connection, DbTransaction tx, CallEvent e, CancellationToken cancellationToken)
    {
        switch (e.Type)
        {
            case CallEventType.CallEnded:
            {
                var events = await ReadEventsAsync(connection, tx, e.CallId, cancellationToken).ConfigureAwait(false);
                CallArtifact artifact;
                string body;
                try
                {
                    artifact = CallArtifactBuilder.Build(events, Pricing);
                    body = CallEventPayloads.CallArtifact(artifact, e.At);
                }
                catch (Exception ex) when (ex is not DbException and not OperationCanceledException)
                {
                    // Never let the artifact hold up (and eventually drop, as a poison batch) the call's own events.
                    return 0;
                }

                return artifact.TeamId is { } team
                    ? await EnqueueWebhookAsync(connection, tx, new WebhookEvent(WebhookEventTypes.CallArtifact, team, artifact.Endpoint.Id, body), e.At, cancellationToken).ConfigureAwait(false)
                    : 0;
            }

            case CallEventType.HandoffHot:
            case CallEventType.ToolCall when e.Reason is not null && e.Reason != ToolOutcome.Ok:
            {
                var started = await ReadStartedAsync(connection, tx, e.CallId, cancellationToken).ConfigureAwait(false);
                if (started is null || !Guid.TryParse(Data(started, CallEventKeys.TeamId), out var team))
                {
                    return 0;
                }

                Guid? endpoint = Guid.TryParse(Data(started, CallEventKeys.EndpointId), out var id) ? id : null;
                var webhookEvent = e.Type == CallEventType.HandoffHot
                    ? new WebhookEvent(WebhookEventTypes.HandoffHot, team, endpoint, CallEventPayloads.HandoffHot(started, e))
                    : new WebhookEvent(WebhookEventTypes.ToolFailed, team, endpoint, CallEventPayloads.ToolFailed(started, e));
                return await EnqueueWebhookAsync(connection, tx, webhookEvent, e.At, cancellationToken).ConfigureAwait(false);
            }

            default:
                return 0;
        }
    }

    private async Task<List<CallEvent>> ReadEventsAsync(DbConnection connection, DbTransaction tx, string callId, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, tx, "SELECT body FROM call_events WHERE call_id = @call ORDER BY seq");
        Add(cmd, "call", callId);
        var bodies = await ReadAllAsync(cmd, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        var events = new List<CallEvent>(bodies.Count);
        foreach (var body in bodies)
        {
            if (Deserialize(body) is { } parsed)
            {
                events.Add(parsed);
            }
        }

        return events;
    }

    private async Task<CallEvent?> ReadStartedAsync(DbConnection connection, DbTransaction tx, string callId, CancellationToken cancellationToken)
    {
        await using var read = Command(connection, tx, "SELECT body FROM call_events WHERE call_id = @call AND type = @type ORDER BY seq LIMIT 1");
        Add(read, "call", callId);
        Add(read, "type", nameof(CallEventType.CallStarted));
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string body ? Deserialize(body) : null;
    }

    /// <summary>A stored event, or null for one this version cannot read (e.g. a type added by a newer version).</summary>
    private static CallEvent? Deserialize(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, CallEventJsonContext.Default.CallEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
