using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>
/// The call's limits on the one call engine, on fake time: the longest call (warning, goodbye, bound), idle time, the
/// call's cost budget, daily budgets, concurrency caps, the drain, an operator's goodbye, and a session's expiry.
/// </summary>
public class CallBridgeLimitsTests
{
    private static readonly SwitchboardOptions NoIdle = new() { Limits = new LimitOptions { IdleWarningSeconds = 0, IdleTimeoutSeconds = 0 } };

    /// <summary>The goodbye the bridge asked for: spoken (<paramref name="ms"/> of audio), transcribed, done.</summary>
    private static async Task SayGoodbyeAsync(BridgeHarness h, string responseId, int ms)
    {
        await h.Backend.ResponseCreatedAsync(responseId);
        await h.Backend.AudioDeltaAsync(responseId, responseId + "_item", ms);
        await h.Backend.AudioDoneAsync(responseId, responseId + "_item");
        await h.Backend.AudioTranscriptDoneAsync(responseId, responseId + "_item", "Goodbye!");
        await h.Backend.ResponseDoneAsync(responseId);
        await h.SyncAsync();
    }

    private static string? Instructions(ClientEvent e) => e.Str("response", "instructions");

    [Fact]
    public async Task MaxDuration_WarnsThenGoodbyeIsHeardBeforeTheEnd()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 60, CallWarningSeconds = 20 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec, NoIdle);

        h.Advance(TimeSpan.FromSeconds(39));
        await h.SyncAsync();
        Assert.Empty(h.Journal.OfType(CallEventType.LimitWarning));

        h.Advance(TimeSpan.FromSeconds(1));
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.LimitWarning).Count > 0, "the warning");
        var warning = await h.Backend.WaitForAsync("conversation.item.create", e => e.Str("item", "role") == "system");
        Assert.Contains("wrapping up", warning.Json, StringComparison.Ordinal);
        Assert.Equal("call_warning", h.Journal.OfType(CallEventType.LimitWarning)[0].Reason);
        Assert.Empty(h.Backend.OfType("response.create"));

        h.Advance(TimeSpan.FromSeconds(20));
        var goodbye = await h.Backend.WaitForAsync("response.create");
        Assert.Contains("time limit", Instructions(goodbye), StringComparison.Ordinal);
        Assert.False(h.HasEnded);

        await SayGoodbyeAsync(h, "resp_bye", ms: 400);
        await h.WaitUntilAsync(() => h.Leg.PlayoutWaits == 1, "the goodbye's playout wait");
        // Still playing: the line stays up.
        Assert.Null(h.Leg.Close);
        h.Advance(TimeSpan.FromSeconds(1));
        h.Leg.PlayAll();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.MaxDuration, ended.Reason);
        Assert.Equal(400, h.Leg.SentMs("resp_bye_item"));
        Assert.Equal(1, h.Leg.HangUps);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.MaxDuration), h.Leg.Close!.Code);
        Assert.Equal("61000", ended.Data![CallEventKeys.DurationMs]);
        Assert.Contains(h.Journal.OfType(CallEventType.AgentTurn), t => t.Text == "Goodbye!");
        Assert.Equal(0, h.Slots.Total);
    }

    [Fact]
    public async Task MaxDuration_GoodbyeNeverComes_EndsAtTheBoundNotLater()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 30, CallWarningSeconds = 0 } };
        var options = NoIdle with { Limits = NoIdle.Limits with { GoodbyeSeconds = 8 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec, options);

        h.Advance(TimeSpan.FromSeconds(30));
        await h.Backend.WaitForAsync("response.create");
        h.Advance(TimeSpan.FromSeconds(7));
        await h.SyncAsync();
        Assert.False(h.HasEnded);

        h.Advance(TimeSpan.FromSeconds(1));
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.MaxDuration, ended.Reason);
        // Billed no longer than the cap plus the goodbye bound.
        Assert.Equal("38000", ended.Data![CallEventKeys.DurationMs]);
        Assert.DoesNotContain(h.Journal.OfType(CallEventType.LimitWarning), w => w.Reason == "call_warning");
    }

    [Fact]
    public async Task MaxDuration_AgentMidAnswer_AnswerFinishesBeforeTheGoodbyeIsAsked()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 30, CallWarningSeconds = 0 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec, NoIdle);
        await h.Backend.ResponseCreatedAsync("resp_long");
        await h.Backend.AudioDeltaAsync("resp_long", "item_long", 200);
        await h.SyncAsync();

        h.Advance(TimeSpan.FromSeconds(30));
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.LimitWarning).Any(w => w.Reason == "goodbye"), "the goodbye to begin");
        await h.SyncAsync();
        Assert.Empty(h.Backend.OfType("response.create"));
        Assert.Empty(h.Backend.OfType("response.cancel"));

        await h.Backend.ResponseDoneAsync("resp_long");
        var goodbye = await h.Backend.WaitForAsync("response.create");
        Assert.Contains("time limit", Instructions(goodbye), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxDuration_TypedTurnRunning_GoodbyeAskedOnceTheTurnIsOver()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 20, CallWarningSeconds = 0 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.Text), spec, NoIdle);
        h.Leg.Type("one more question");
        await h.Backend.WaitForAsync("response.create");

        h.Advance(TimeSpan.FromSeconds(20));
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.LimitWarning).Any(w => w.Reason == "goodbye"), "the goodbye to begin");
        await h.SyncAsync();
        Assert.Single(h.Backend.OfType("response.create"));

        // The turn's answer ends the turn; the goodbye is asked for then, well within its bound.
        await h.Backend.ResponseCreatedAsync("resp_answer");
        await h.Backend.TextDoneAsync("resp_answer", "item_answer", "Here is the answer.");
        await h.Backend.ResponseDoneAsync("resp_answer");
        var goodbye = await h.Backend.WaitForAsync("response.create", count: 2);
        Assert.Contains("time limit", Instructions(h.Backend.OfType("response.create")[1]), StringComparison.Ordinal);
        Assert.NotNull(goodbye);
        Assert.False(h.HasEnded);
    }

    [Fact]
    public async Task MaxDuration_TeamCapTighterThanEndpoint_TeamWins()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 600, CallWarningSeconds = 0 } };
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone(), spec, NoIdle);
        h.Teams[BridgeHarness.TeamId] = new TeamLimits { MaxCallSeconds = 45 };
        await h.BeginAsync();

        h.Advance(TimeSpan.FromSeconds(44));
        await h.SyncAsync();
        Assert.Empty(h.Backend.OfType("response.create"));
        h.Advance(TimeSpan.FromSeconds(1));
        await h.Backend.WaitForAsync("response.create");
        await SayGoodbyeAsync(h, "resp_bye", ms: 100);
        h.Leg.PlayAll();

        Assert.Equal(CallEndReason.MaxDuration, (await h.EndedAsync()).Reason);
    }

    [Fact]
    public async Task Idle_WarnsThenSaysGoodbye_EndsIdleTimeout()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { IdleWarningSeconds = 20, IdleTimeoutSeconds = 50 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);

        h.Advance(TimeSpan.FromSeconds(20));
        var prompt = await h.Backend.WaitForAsync("response.create");
        Assert.Contains("still there", Instructions(prompt), StringComparison.Ordinal);
        Assert.Equal("idle_warning", Assert.Single(h.Journal.OfType(CallEventType.LimitWarning)).Reason);

        // The agent's own question is not activity: the silence goes on counting.
        await SayGoodbyeAsync(h, "resp_prompt", ms: 100);
        h.Leg.PlayAll();
        h.Advance(TimeSpan.FromSeconds(30));
        var goodbye = await h.Backend.WaitForAsync("response.create", count: 2);
        Assert.Contains("silent", Instructions(h.Backend.OfType("response.create")[1]), StringComparison.Ordinal);
        Assert.NotNull(goodbye);

        await SayGoodbyeAsync(h, "resp_bye", ms: 100);
        h.Leg.PlayAll();
        var ended = await h.EndedAsync();
        Assert.Equal(CallEndReason.IdleTimeout, ended.Reason);
        Assert.Equal("50000", ended.Data![CallEventKeys.DurationMs]);
    }

    [Fact]
    public async Task Idle_CallerSpeaks_ClockStartsAgain()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { IdleWarningSeconds = 20, IdleTimeoutSeconds = 40 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);

        h.Advance(TimeSpan.FromSeconds(15));
        await h.Backend.SpeechStartedAsync();
        await h.Backend.SpeechStoppedAsync();
        await h.SyncAsync();
        h.Advance(TimeSpan.FromSeconds(15));
        await h.SyncAsync();
        Assert.Empty(h.Backend.OfType("response.create"));
        Assert.Empty(h.Journal.OfType(CallEventType.LimitWarning));

        h.Advance(TimeSpan.FromSeconds(5));
        await h.Backend.WaitForAsync("response.create");
        Assert.False(h.HasEnded);
    }

    [Fact]
    public async Task CallCost_WarnsThenEndsBudgetExhausted_WithTheCostJournalled()
    {
        // gpt-realtime: one harness response (120 in, 80 out) costs $0.00632.
        var spec = new AgentSpec { Model = "gpt-realtime", Limits = new LimitsSpec { MaxCallCostUsd = 0.015 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec, NoIdle);

        await SayGoodbyeAsync(h, "resp_1", ms: 100);
        Assert.Empty(h.Journal.OfType(CallEventType.LimitWarning));
        await SayGoodbyeAsync(h, "resp_2", ms: 100);
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.LimitWarning).Count == 1, "the cost warning");
        Assert.Equal("cost_warning", h.Journal.OfType(CallEventType.LimitWarning)[0].Reason);
        Assert.Empty(h.Backend.OfType("response.create"));

        await SayGoodbyeAsync(h, "resp_3", ms: 100);
        var goodbye = await h.Backend.WaitForAsync("response.create");
        Assert.Contains("cost limit", Instructions(goodbye), StringComparison.Ordinal);
        await SayGoodbyeAsync(h, "resp_bye", ms: 100);
        h.Leg.PlayAll();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.BudgetExhausted, ended.Reason);
        Assert.Contains("cost budget", ended.Detail, StringComparison.Ordinal);
        Assert.Equal("0.02528", ended.Data![CallEventKeys.CostUsd]);
    }

    [Fact]
    public async Task DailySeconds_UsedUpBeforeTheCall_RefusedBeforeTheBackend()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxDailyCallSeconds = 120 } };
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone(), spec, NoIdle);
        h.Usage.Rows.Add((BridgeHarness.TeamId, new CallUsage(BridgeHarness.EndpointId, h.Time.GetUtcNow().AddHours(-1), 120_000, 0.5, false)));

        await h.BeginAsync();
        await h.WaitUntilAsync(() => h.HasEnded, "the refusal");

        var refused = Assert.Single(h.Journal.OfType(CallEventType.CallRefused));
        Assert.Equal(Refusals.BudgetExhausted, refused.Reason);
        Assert.Contains("endpoint's daily call seconds", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(BridgeHarness.EndpointId.ToString("D"), refused.Data![CallEventKeys.EndpointId]);
        Assert.Null(h.Connector.Endpoint);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.Refused), h.Leg.Close!.Code);
        Assert.StartsWith("budget_exhausted:", h.Leg.Close.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Journal.OfType(CallEventType.CallEnded));
        Assert.Equal(0, h.Slots.Total);
    }

    [Fact]
    public async Task DailySeconds_RunOutMidCall_GoodbyeThenBudgetExhausted()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxDailyCallSeconds = 100, CallWarningSeconds = 10 } };
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone(), spec, NoIdle);
        // Yesterday's calls do not count; today's 40 s do.
        h.Usage.Rows.Add((BridgeHarness.TeamId, new CallUsage(BridgeHarness.EndpointId, h.Time.GetUtcNow().AddDays(-1), 90_000, null, false)));
        h.Usage.Rows.Add((BridgeHarness.TeamId, new CallUsage(BridgeHarness.EndpointId, h.Time.GetUtcNow().AddMinutes(-5), 40_000, null, false)));
        await h.BeginAsync();

        for (var i = 0; i < 50; i++)
        {
            h.Advance(TimeSpan.FromSeconds(1));
            await h.SyncAsync();
        }

        Assert.Contains(h.Journal.OfType(CallEventType.LimitWarning), w => w.Reason == "budget_warning");
        Assert.Empty(h.Backend.OfType("response.create"));
        for (var i = 0; i < 10 && h.Backend.OfType("response.create").Count == 0; i++)
        {
            h.Advance(TimeSpan.FromSeconds(1));
            await h.SyncAsync();
        }

        var goodbye = await h.Backend.WaitForAsync("response.create");
        Assert.Contains("usage limit", Instructions(goodbye), StringComparison.Ordinal);
        await SayGoodbyeAsync(h, "resp_bye", ms: 100);
        h.Leg.PlayAll();
        var ended = await h.EndedAsync();
        Assert.Equal(CallEndReason.BudgetExhausted, ended.Reason);
        Assert.Equal("60000", ended.Data![CallEventKeys.DurationMs]);
    }

    [Fact]
    public async Task TeamDailyCost_UsedUp_Refused()
    {
        await using var h = BridgeHarness.Create(FakeCallerLeg.Browser(), new AgentSpec(), NoIdle);
        h.Teams[BridgeHarness.TeamId] = new TeamLimits { MaxDailyCostUsd = 1 };
        h.Usage.Rows.Add((BridgeHarness.TeamId, new CallUsage(Guid.NewGuid(), h.Time.GetUtcNow().AddMinutes(-1), 1_000, 1.25, false)));

        await h.BeginAsync();
        await h.WaitUntilAsync(() => h.HasEnded, "the refusal");

        var refused = Assert.Single(h.Journal.OfType(CallEventType.CallRefused));
        Assert.Equal(Refusals.BudgetExhausted, refused.Reason);
        Assert.Contains("team's daily cost budget", refused.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("endpoint")]
    [InlineData("team")]
    [InlineData("gateway")]
    public async Task Concurrency_CapFull_RefusedBusy_AndTheSlotsAreNotTouched(string owner)
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxConcurrentCalls = owner == "endpoint" ? 2 : 0 } };
        var options = owner == "gateway" ? NoIdle with { Limits = NoIdle.Limits with { MaxConcurrentCalls = 2 } } : NoIdle;
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone(), spec, options);
        if (owner == "team")
        {
            h.Teams[BridgeHarness.TeamId] = new TeamLimits { MaxConcurrentCalls = 2 };
        }

        var key = owner switch
        {
            "endpoint" => AdmissionGate.EndpointKey(BridgeHarness.EndpointId),
            "team" => AdmissionGate.TeamKey(BridgeHarness.TeamId),
            _ => AdmissionGate.NodeKey,
        };
        using var others = h.Slots.TryAcquire([(key, 0), (key, 0)], out _);
        Assert.Equal(2, h.Slots.InUse(key));

        await h.BeginAsync();
        await h.WaitUntilAsync(() => h.HasEnded, "the refusal");

        var refused = Assert.Single(h.Journal.OfType(CallEventType.CallRefused));
        Assert.Equal(Refusals.Busy, refused.Reason);
        Assert.Contains($"{owner}'s cap of 2 concurrent calls", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(2, h.Slots.InUse(key));
        Assert.Null(h.Connector.Endpoint);
    }

    [Fact]
    public async Task Slots_HeldWhileTheCallRuns_FreedWhenTheConnectionIsLost()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxConcurrentCalls = 1 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec, NoIdle);
        Assert.Equal(1, h.Slots.InUse(AdmissionGate.EndpointKey(BridgeHarness.EndpointId)));
        Assert.Equal(1, h.Slots.InUse(AdmissionGate.NodeKey));

        h.AbortCallerConnection();
        await h.EndedAsync();

        Assert.Equal(0, h.Slots.Total);
    }

    [Fact]
    public async Task Draining_NewCallRefused()
    {
        await using var h = BridgeHarness.Create(FakeCallerLeg.Browser(), new AgentSpec(), NoIdle);
        h.Drain.Begin(h.Time.GetUtcNow());

        await h.BeginAsync();
        await h.WaitUntilAsync(() => h.HasEnded, "the refusal");

        Assert.Equal(Refusals.Draining, Assert.Single(h.Journal.OfType(CallEventType.CallRefused)).Reason);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.Refused), h.Leg.Close!.Code);
    }

    [Fact]
    public async Task Operator_EndWithGoodbye_AgentSaysTheWordsThenOperatorHangup()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), new AgentSpec(), NoIdle);
        Assert.True(h.Registry.TryGet(h.Bridge.CallId, out var live));
        Assert.Equal(BridgeHarness.TeamId, live!.TeamId);

        var ending = live.EndWithGoodbyeAsync!(CallEndReason.OperatorHangup, "supervisor ended the call", "We have to end the call now. Goodbye.");
        var goodbye = await h.Backend.WaitForAsync("response.create");
        Assert.Contains("We have to end the call now. Goodbye.", Instructions(goodbye), StringComparison.Ordinal);
        await SayGoodbyeAsync(h, "resp_bye", ms: 200);
        h.Leg.PlayAll();

        Assert.True(await ending);
        var ended = await h.EndedAsync();
        Assert.Equal(CallEndReason.OperatorHangup, ended.Reason);
        Assert.Contains("supervisor ended the call", ended.Detail, StringComparison.Ordinal);
        Assert.Equal(1, h.Leg.HangUps);
    }

    [Fact]
    public async Task Goodbye_TextSession_GoodbyeIsShownAsText()
    {
        var leg = FakeCallerLeg.Browser(InteractionModes.Text);
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 20, CallWarningSeconds = 0 } };
        await using var h = await BridgeHarness.StartAsync(leg, spec, NoIdle);

        h.Advance(TimeSpan.FromSeconds(20));
        await h.Backend.WaitForAsync("response.create");
        await h.Backend.ResponseCreatedAsync("resp_bye");
        await h.Backend.TextDoneAsync("resp_bye", "item_bye", "Time is up, goodbye!");
        await h.Backend.ResponseDoneAsync("resp_bye");
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.MaxDuration, ended.Reason);
        Assert.Contains(h.Leg.Transcripts, t => t.Text == "Time is up, goodbye!");
    }

    [Fact]
    public async Task Expiry_LegExpiresBeforeMaxDuration_EndsSessionExpired()
    {
        var leg = FakeCallerLeg.Browser(InteractionModes.Text);
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 600 } };
        leg.ExpiresAt = new DateTimeOffset(2026, 1, 1, 9, 1, 0, TimeSpan.Zero);
        await using var h = await BridgeHarness.StartAsync(leg, spec, NoIdle);

        h.Advance(TimeSpan.FromSeconds(59));
        await h.SyncAsync();
        Assert.False(h.HasEnded);
        h.Advance(TimeSpan.FromSeconds(1));
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.SessionExpired, ended.Reason);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.SessionExpired), h.Leg.Close!.Code);
    }
}
