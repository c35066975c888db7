namespace Switchboard.Journal;

/// <summary>
/// Folds a call's events into its transcript. An agent turn's text usually arrives before the caller has
/// heard it all (backends generate faster than real time), so a later <see cref="CallEventType.BargeIn"/>
/// on the same item marks that turn interrupted, with what was heard.
/// </summary>
internal static class CallTranscript
{
    public static IReadOnlyList<TranscriptTurn> Build(IEnumerable<CallEvent> events)
    {
        var ordered = events.OrderBy(e => e.Sequence).ToList();
        var bargeIns = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var e in ordered)
        {
            if (e.Type == CallEventType.BargeIn && e.ItemId is not null)
            {
                bargeIns[e.ItemId] = e.HeardMs;
            }
        }

        var turns = new List<TranscriptTurn>();
        foreach (var e in ordered)
        {
            switch (e.Type)
            {
                case CallEventType.CallerTurn:
                    turns.Add(new TranscriptTurn("caller", e.Text ?? "", e.ItemId, e.At, false, null));
                    break;
                case CallEventType.AgentTurn:
                    var interrupted = e.Interrupted == true || (e.ItemId is not null && bargeIns.ContainsKey(e.ItemId));
                    var heard = e.HeardMs ?? (e.ItemId is not null && bargeIns.TryGetValue(e.ItemId, out var h) ? h : null);
                    turns.Add(new TranscriptTurn("agent", e.Text ?? "", e.ItemId, e.At, interrupted, interrupted ? heard : null));
                    break;
            }
        }

        return turns;
    }
}
