using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Cli;

/// <summary>A short call's journal as the bridge writes it: start, a caller turn, an agent turn the caller talked over, the end.</summary>
internal static class CallEvents
{
    public static readonly DateTimeOffset Start = new(2025, 6, 1, 14, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<CallEvent> Sample(string callId, Guid? teamId, Guid? endpointId = null, DateTimeOffset? start = null)
    {
        var t0 = start ?? Start;
        var data = new Dictionary<string, string>
        {
            [CallEventKeys.Carrier] = "twilio",
            [CallEventKeys.CarrierCallId] = "CA" + callId,
            [CallEventKeys.From] = "+15550001111",
            [CallEventKeys.To] = "+15550002222",
        };
        if (teamId is { } team)
        {
            data[CallEventKeys.TeamId] = team.ToString("D");
        }

        if (endpointId is { } endpoint)
        {
            data[CallEventKeys.EndpointId] = endpoint.ToString("D");
        }

        return
        [
            new CallEvent { CallId = callId, Sequence = 0, At = t0, Type = CallEventType.CallStarted, Data = data },
            new CallEvent { CallId = callId, Sequence = 1, At = t0.AddSeconds(1.2), Type = CallEventType.CallerTurn, Role = "caller", Text = "Where is my order?", ItemId = "c1" },
            new CallEvent { CallId = callId, Sequence = 2, At = t0.AddSeconds(3.5), Type = CallEventType.AgentTurn, Role = "agent", Text = "Let me check that for you, one moment please.", ItemId = "a1" },
            new CallEvent { CallId = callId, Sequence = 3, At = t0.AddSeconds(4.9), Type = CallEventType.BargeIn, ItemId = "a1", HeardMs = 1240 },
            new CallEvent { CallId = callId, Sequence = 4, At = t0.AddSeconds(5.1), Type = CallEventType.CallerTurn, Role = "caller", Text = "It's order 42.", ItemId = "c2" },
            new CallEvent { CallId = callId, Sequence = 5, At = t0.AddSeconds(83), Type = CallEventType.CallEnded, Reason = CallEndReason.CallerHangup },
        ];
    }
}
