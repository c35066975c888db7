using System.Data.Common;
using System.Text.Json;
using Switchboard.Artifacts;
using Switchboard.Journal;
using Switchboard.Webhooks;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    /// <summary>Prices for the artifact's estimated cost (the built-in list unless the host passes the configured one).</summary>
    public CallPricing Pricing { get; init; } = CallPricing.Default;

    /// <summary>
    /// The outbox rows a journal event announces, inside the batch's transaction: reads what <see cref="CallEventWebhooks"/>
    /// asks for from the call's stored events (this batch included), maps the event with it and enqueues each webhook event
    /// for its subscriptions. A retried batch inserts nothing again (its events are already stored), so each is enqueued
    /// once per subscription.
    /// </summary>
    private async Task<int> EnqueueCallEventWebhooksAsync(DbConnection connection, DbTransaction tx, CallEvent e, CancellationToken cancellationToken)
    {
        IReadOnlyList<CallEvent> stored;
        switch (CallEventWebhooks.InputFor(e))
        {
            case CallEventWebhookInput.None:
                return 0;
            case CallEventWebhookInput.Started:
                stored = await ReadStartedAsync(connection, tx, e.CallId, cancellationToken).ConfigureAwait(false) is { } started ? [started] : [];
                break;
            case CallEventWebhookInput.WholeCall:
                stored = await ReadEventsAsync(connection, tx, e.CallId, cancellationToken).ConfigureAwait(false);
                break;
            default:
                stored = [];
                break;
        }

        var count = 0;
        foreach (var webhookEvent in CallEventWebhooks.For(e, stored, Pricing))
        {
            count += await EnqueueWebhookAsync(connection, tx, webhookEvent, e.At, cancellationToken).ConfigureAwait(false);
        }

        return count;
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
