using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>
/// Provider failover on fake time: an endpoint's fallback backend takes the call when the primary refuses at the start,
/// is not run on the gateway, or drops mid-call and is not regained within the reconnect budget; the fallback session
/// gets the same replay, in order, and the journal says which backend took over.
/// </summary>
public class CallBridgeFailoverTests
{
    private const string FallbackModel = "gpt-realtime-fallback";

    /// <summary>The primary is OpenAI's configured model; the fallback the same backend with another model (the harness tells them apart by it).</summary>
    private static AgentSpec Spec() => new()
    {
        Backend = "openai",
        Instructions = "You are the bakery's phone agent.",
        Fallback = new BackendFallbackSpec { Backend = "openai", Model = FallbackModel },
    };

    private static SwitchboardOptions Options(double budgetSeconds = 2) => new()
    {
        Backend = new BackendOptions { ReconnectBudgetSeconds = budgetSeconds, SessionMaxAgeMinutes = 0 },
    };

    /// <summary>Every connect to the primary fails; the fallback's succeed.</summary>
    private static void PrimaryRefuses(BridgeHarness h) =>
        h.Connector.OnAttempt = _ => h.Connector.Fail = h.Connector.Endpoint?.Model != FallbackModel;

    private static async Task ExchangeAsync(BridgeHarness h, string callerItem, string callerText, string response, string agentItem, string agentText)
    {
        await h.Backend.InputTranscriptAsync(callerItem, callerText);
        await h.Backend.ResponseCreatedAsync(response);
        await h.Backend.AudioDeltaAsync(response, agentItem, ms: 100);
        await h.Backend.AudioTranscriptDoneAsync(response, agentItem, agentText);
        await h.Backend.AudioDoneAsync(response, agentItem);
        await h.Backend.ResponseDoneAsync(response);
        await h.SyncAsync();
    }

    private static (string Role, string Text)? Message(ClientEvent e) =>
        e.Type == "conversation.item.create" && e.Str("item", "type") == "message"
            ? (e.Str("item", "role")!, e.Root.GetProperty("item").GetProperty("content")[0].GetProperty("text").GetString()!)
            : null;

    [Fact]
    public async Task PrimaryRefusesAtTheStart_TheCallStartsOnTheFallback_AndIsJournalled()
    {
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone(), Spec(), Options());
        PrimaryRefuses(h);

        await h.BeginAsync();

        Assert.False(h.HasEnded, h.CallEnded?.Detail + " / " + string.Join(" | ", h.Logger.Entries.Select(e => e.Message)));
        Assert.Equal(2, h.Connector.Attempts);
        Assert.Equal(FallbackModel, h.Connector.Endpoint!.Model);
        // The fallback session is configured like any first session, for the fallback's model.
        var update = Assert.Single(h.Backend.OfType("session.update"));
        Assert.Equal(FallbackModel, update.Str("session", "model"));

        var failover = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal(ReconnectReasons.Failover, failover.Reason);
        Assert.Equal("openai", failover.Data!["backend"]);
        Assert.Equal(FallbackModel, failover.Data["model"]);
        Assert.Equal("openai/gpt-realtime", failover.Data["from"]);
        Assert.Equal("1", failover.Data["attempts"]);
        Assert.Equal("0", failover.Data["replayed_items"]);
        Assert.True(failover.Sequence > Assert.Single(h.Journal.OfType(CallEventType.CallStarted)).Sequence);

        await ExchangeAsync(h, "item_c1", "Are you open?", "resp_1", "item_a1", "Yes, until six.");
        Assert.Equal(["Are you open?", "Yes, until six."], CallTranscript.Build(h.Journal.Events).Select(t => t.Text));
    }

    [Fact]
    public async Task PrimaryNotRunOnTheGateway_TheCallStartsOnTheFallback()
    {
        var spec = Spec() with { Backend = "azure", Fallback = new BackendFallbackSpec { Backend = "openai", Model = FallbackModel } };
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone(), spec, Options());
        h.Endpoints.NotConfigured.Add("azure");

        await h.BeginAsync();

        Assert.False(h.HasEnded);
        Assert.Equal(1, h.Connector.Attempts);
        Assert.Equal(FallbackModel, h.Connector.Endpoint!.Model);
        var failover = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal(ReconnectReasons.Failover, failover.Reason);
        Assert.Equal("azure", failover.Data!["from"]);
        Assert.Equal("0", failover.Data["attempts"]);
    }

    [Fact]
    public async Task PrimaryAndFallbackBothRefuseAtTheStart_EndsBackendUnavailable()
    {
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone(), Spec(), Options());
        h.Connector.Fail = true;

        await h.BeginAsync();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.BackendUnavailable, ended.Reason);
        Assert.Equal(2, h.Connector.Attempts);
        Assert.Empty(h.Journal.OfType(CallEventType.BackendReconnected));
    }

    [Fact]
    public async Task PrimaryDropsMidCall_BudgetSpent_TheFallbackGetsTheReplayInOrder_AndAnswersTheNextTurn()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), Spec(), Options(budgetSeconds: 2));
        await ExchangeAsync(h, "item_c1", "What time do you open on Saturday?", "resp_1", "item_a1", "We open at nine on Saturdays.");
        h.Leg.PlayAll();
        var first = h.Sessions[0];
        PrimaryRefuses(h);

        first.Abort();
        // The primary is tried with backoff until the budget is spent; then the fallback.
        for (var i = 0; i < 200 && h.Journal.OfType(CallEventType.BackendReconnected).Count == 0 && !h.HasEnded; i++)
        {
            await h.WaitUntilAsync(() => h.Connector.Attempts > 1 || h.HasEnded, "a reconnect attempt");
            h.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1 || h.HasEnded, "the failover");
        Assert.False(h.HasEnded);
        await h.SyncAsync();

        Assert.Equal(2, h.Sessions.Count);
        Assert.Equal(FallbackModel, h.Connector.Endpoint!.Model);
        var control = h.Backend.Control;
        Assert.Equal("session.update", control[0].Type);
        Assert.Equal(("user", "What time do you open on Saturday?"), Message(control[1]));
        Assert.Equal(("assistant", "We open at nine on Saturdays."), Message(control[2]));
        Assert.Equal(("system", CallBridge.InterruptionNote), Message(control[3]));
        Assert.Equal(4, control.Count);
        Assert.All(h.Backend.Received, e => Assert.DoesNotContain("item_a1", e.Json, StringComparison.Ordinal));

        var failover = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal(ReconnectReasons.Failover, failover.Reason);
        Assert.Contains("aborted", failover.Detail, StringComparison.Ordinal);
        Assert.Equal(FallbackModel, failover.Data!["model"]);
        Assert.Equal("openai/gpt-realtime", failover.Data["from"]);
        Assert.Equal("3", failover.Data["replayed_items"]);
        // Several attempts at the primary (backoff within the 2 s budget), then the fallback's one.
        Assert.True(int.Parse(failover.Data["attempts"], System.Globalization.CultureInfo.InvariantCulture) > 2);

        await ExchangeAsync(h, "item_c2", "And on Sunday?", "resp_2", "item_a2", "Closed on Sundays.");
        Assert.False(h.HasEnded);
        Assert.Equal(
            ["What time do you open on Saturday?", "We open at nine on Saturdays.", "And on Sunday?", "Closed on Sundays."],
            CallTranscript.Build(h.Journal.Events).Select(t => t.Text));
    }

    [Fact]
    public async Task PrimaryDropsMidCall_RegainedWithinTheBudget_StaysOnThePrimary()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), Spec(), Options());

        h.Sessions[0].Abort();
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1, "BackendReconnected");

        var reconnected = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal(ReconnectReasons.Dropped, reconnected.Reason);
        Assert.False(reconnected.Data!.ContainsKey("from"));
        Assert.Equal("gpt-realtime", h.Connector.Endpoint!.Model);
    }

    [Fact]
    public async Task FallbackDropsToo_BudgetSpent_EndsBackendUnavailable()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), Spec(), Options(budgetSeconds: 1));
        h.Connector.Fail = true;

        h.Sessions[0].Abort();
        for (var i = 0; i < 200 && !h.HasEnded; i++)
        {
            await h.WaitUntilAsync(() => h.Connector.Attempts > 1 || h.HasEnded, "a reconnect attempt");
            h.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        var ended = await h.EndedAsync();
        Assert.Equal(CallEndReason.BackendUnavailable, ended.Reason);
        Assert.Equal(FallbackModel, h.Connector.Endpoint!.Model);
        Assert.Empty(h.Journal.OfType(CallEventType.BackendReconnected));
    }

    [Fact]
    public void Validator_ChecksTheFallbackLikeThePrimary()
    {
        Assert.Empty(AgentSpecValidator.Validate("x", Spec()));
        Assert.Contains("fallback.backend", AgentSpecValidator.Validate("x", Spec() with { Fallback = new BackendFallbackSpec { Backend = "gemini" } }).Keys);
        Assert.Contains("fallback.model", AgentSpecValidator.Validate("x", Spec() with { Fallback = new BackendFallbackSpec { Backend = "azure", Model = new string('m', 101) } }).Keys);
        Assert.Contains("fallback", AgentSpecValidator.Validate("x", Spec() with { Fallback = new BackendFallbackSpec { Backend = "openai" } }).Keys);
        Assert.Contains("fallback.backend", AgentSpecValidator.Validate("x", Spec() with { Backend = "local", Voice = "robot", Fallback = new BackendFallbackSpec { Backend = "azure" } }).Keys);
    }

    [Fact]
    public void Spec_FallbackRoundTripsThroughJson()
    {
        var json = JsonSerializer.Serialize(Spec(), AgentJsonContext.Default.AgentSpec);
        Assert.Contains("\"fallback\":{\"backend\":\"openai\",\"model\":\"gpt-realtime-fallback\"}", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, AgentJsonContext.Default.AgentSpec)!;
        Assert.Equal(Spec().Fallback, back.Fallback);
        Assert.Null(JsonSerializer.Deserialize("{}", AgentJsonContext.Default.AgentSpec)!.Fallback);
    }
}
