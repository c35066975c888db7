using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Artifacts;
using Switchboard.Journal;
using Switchboard.Telegram;

namespace Switchboard.Server.Telegram;

/// <summary>What a Mini App call tells its bridge: its events as they happen (<c>call.event</c>), then at the end its transcript and artifact (<c>call.ended</c>).</summary>
internal static class BridgeMessages
{
    /// <summary>Forwards the events a bridge follows live: turns, barge-ins, limit warnings, tool calls.</summary>
    public static void Forward(CallSurface surface, string? threadId, CallEvent e)
    {
        if (e.Type is not (CallEventType.CallerTurn or CallEventType.AgentTurn or CallEventType.BargeIn or CallEventType.LimitWarning
            or CallEventType.ToolCall or CallEventType.CallerSpeechStarted))
        {
            return;
        }

        var data = new JsonObject { ["kind"] = e.Type.ToString(), ["sequence"] = e.Sequence, ["at"] = e.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        Add(data, "role", e.Role);
        Add(data, "text", e.Text);
        Add(data, "itemId", e.ItemId);
        Add(data, "reason", e.Reason);
        if (e.Interrupted is { } interrupted)
        {
            data["interrupted"] = interrupted;
        }

        if (e.HeardMs is { } heard)
        {
            data["heardMs"] = heard;
        }

        surface.Feed.Publish(CallSurface.Message("call.event", ("callId", e.CallId), ("threadId", threadId), ("event", data)));
    }

    /// <summary>After the call: the transcript and the post-call artifact, read from the journal like the API's.</summary>
    public static async Task PublishEndedAsync(CallSurface surface, ICallJournal journal, CallPricing pricing, string callId, string? threadId, string? endReason,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<CallEvent> events;
        try
        {
            events = await journal.ReadAsync(callId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            surface.Feed.Publish(CallSurface.Message("call.ended", ("callId", callId), ("threadId", threadId), ("reason", endReason), ("error", "the journal could not be read: " + ex.Message)));
            return;
        }

        var transcript = new JsonArray();
        foreach (var turn in CallTranscript.Build(events))
        {
            var line = new JsonObject { ["role"] = turn.Role, ["text"] = turn.Text, ["interrupted"] = turn.Interrupted };
            if (turn.HeardMs is { } heard)
            {
                line["heardMs"] = heard;
            }

            transcript.Add(line);
        }

        var artifact = JsonNode.Parse(JsonSerializer.Serialize(CallArtifactBuilder.Build(events, pricing), CallArtifactJsonContext.Default.CallArtifact));
        surface.Feed.Publish(CallSurface.Message("call.ended", ("callId", callId), ("threadId", threadId), ("reason", endReason), ("transcript", transcript), ("artifact", artifact)));
    }

    private static void Add(JsonObject data, string name, string? value)
    {
        if (value is not null)
        {
            data[name] = value;
        }
    }
}
