using System.Text.Json;
using Switchboard.Artifacts;
using Switchboard.Journal;
using Switchboard.Webhooks;

namespace Switchboard.Tests.Webhooks;

public class CallEventWebhooksTests
{
    private static readonly Guid Team = Guid.Parse("0b5e4a8e-5d53-4c41-a4a5-5c3e3f8a9d10");
    private static readonly Guid Endpoint = Guid.Parse("3f0c1d2e-9a8b-4c7d-8e6f-5a4b3c2d1e0f");
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 27, 20, 101, TimeSpan.Zero);

    private static CallEvent E(long seq, CallEventType type, string? text = null, string? reason = null, Dictionary<string, string>? data = null) => new()
    {
        CallId = "call_1",
        Sequence = seq,
        At = T0.AddSeconds(seq),
        Type = type,
        Text = text,
        Reason = reason,
        Data = data,
    };

    private static CallEvent Started(bool withTeam = true)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["carrier"] = "twilio", ["from"] = "+15550001111", ["endpoint"] = "support" };
        if (withTeam)
        {
            data[CallEventKeys.TeamId] = Team.ToString("D");
            data[CallEventKeys.EndpointId] = Endpoint.ToString("D");
        }

        return E(1, CallEventType.CallStarted, data: data);
    }

    private static CallEvent Ended(long seq = 9) => E(seq, CallEventType.CallEnded, reason: "caller_hangup");

    private static CallEvent ToolCall(string outcome) => E(3, CallEventType.ToolCall, "lookup_order", outcome,
        new Dictionary<string, string>(StringComparer.Ordinal) { ["call_id"] = "fc_1", ["arguments"] = "{}", ["kind"] = "tool" });

    private static string BodyType(WebhookEvent e) => JsonDocument.Parse(e.Body).RootElement.GetProperty("type").GetString()!;

    [Fact]
    public void InputFor_EachEventType_AsksForWhatItsWebhooksNeed()
    {
        Assert.Equal(CallEventWebhookInput.Event, CallEventWebhooks.InputFor(Started()));
        Assert.Equal(CallEventWebhookInput.WholeCall, CallEventWebhooks.InputFor(Ended()));
        Assert.Equal(CallEventWebhookInput.WholeCall, CallEventWebhooks.InputFor(E(2, CallEventType.HandoffHot, "lead")));
        Assert.Equal(CallEventWebhookInput.Started, CallEventWebhooks.InputFor(ToolCall("tool_timeout")));
        Assert.Equal(CallEventWebhookInput.None, CallEventWebhooks.InputFor(ToolCall("ok")));
        Assert.Equal(CallEventWebhookInput.None, CallEventWebhooks.InputFor(E(2, CallEventType.AgentTurn, "hello")));
    }

    [Fact]
    public void For_CallStartedOfATeam_AnnouncesCallStarted()
    {
        var announced = Assert.Single(CallEventWebhooks.For(Started(), [], CallPricing.Default));

        Assert.Equal(WebhookEventTypes.CallStarted, announced.Type);
        Assert.Equal(Team, announced.TeamId);
        Assert.Equal(Endpoint, announced.EndpointId);
        Assert.Equal(WebhookPayloads.CallStarted(Started()), announced.Body);
    }

    [Fact]
    public void For_CallWithoutTeam_AnnouncesNothing()
    {
        Assert.Empty(CallEventWebhooks.For(Started(withTeam: false), [], CallPricing.Default));
        Assert.Empty(CallEventWebhooks.For(Ended(), [Started(withTeam: false), Ended()], CallPricing.Default));
    }

    [Fact]
    public void For_CallEnded_AnnouncesTheArtifactThenCallEnded()
    {
        var call = new List<CallEvent> { Started(), E(2, CallEventType.AgentTurn, "Hello"), Ended(3) };

        var announced = CallEventWebhooks.For(call[2], call, CallPricing.Default);

        Assert.Equal([WebhookEventTypes.CallArtifact, WebhookEventTypes.CallEnded], announced.Select(a => a.Type));
        Assert.All(announced, a => Assert.Equal(Team, a.TeamId));
        Assert.Equal(["call.artifact", "call.ended"], announced.Select(BodyType));
        Assert.Equal(CallEventPayloads.CallArtifact(CallArtifactBuilder.Build(call, CallPricing.Default), call[2].At), announced[0].Body);
        Assert.Equal(WebhookPayloads.CallEnded(call[0], call[2]), announced[1].Body);
    }

    [Fact]
    public void For_FailedToolCallAndHotHandoff_UseTheStartedEventsTeam()
    {
        var failed = Assert.Single(CallEventWebhooks.For(ToolCall("tool_timeout"), [Started()], CallPricing.Default));
        var handoff = Assert.Single(CallEventWebhooks.For(E(4, CallEventType.HandoffHot, "lead",
            data: new(StringComparer.Ordinal) { ["call_id"] = "fc_2", ["arguments"] = """{"reason":"lead"}""" }), [Started()], CallPricing.Default));

        Assert.Equal((WebhookEventTypes.ToolFailed, Team, (Guid?)Endpoint), (failed.Type, failed.TeamId, failed.EndpointId));
        Assert.Equal((WebhookEventTypes.HandoffHot, Team, (Guid?)Endpoint), (handoff.Type, handoff.TeamId, handoff.EndpointId));
        Assert.Equal("tool.failed", BodyType(failed));
        Assert.Equal("handoff.hot", BodyType(handoff));
    }

    [Fact]
    public void For_FailedToolCallWithoutAStoredStart_AnnouncesNothing()
    {
        Assert.Empty(CallEventWebhooks.For(ToolCall("tool_failed"), [], CallPricing.Default));
        Assert.Empty(CallEventWebhooks.For(ToolCall("ok"), [Started()], CallPricing.Default));
    }
}
