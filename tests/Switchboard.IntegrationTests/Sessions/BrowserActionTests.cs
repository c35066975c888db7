using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.Journal;
using static Switchboard.IntegrationTests.Sessions.VoiceSession;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// <c>browser_actions</c>: a function call naming one of the endpoint's browser actions becomes an <c>action</c> for the
/// page; the page's <c>action_result</c> (or the timeout) goes back to the model as the call's output, followed by
/// <c>response.create</c>; each action is journalled as a <c>ToolCall</c> of kind <c>browser_action</c>. Other tools and
/// other modes never reach the page.
/// </summary>
public class BrowserActionTests
{
    private static AgentSpec Spec()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}}}""");
        return new AgentSpec
        {
            Tools = [new ToolSpec { Name = "lookup_order", Description = "Find an order" }],
            BrowserActions = [new BrowserActionSpec { Name = "show_message", Description = "Show a message", Parameters = schema.RootElement.Clone() }],
        };
    }

    private static Task<VoiceSession> StartAsync(string mode = InteractionModes.BrowserActions, Dictionary<string, string?>? settings = null) =>
        VoiceSession.StartAsync(mode, Spec(), settings);

    /// <summary>The model calls <paramref name="name"/> in a completed response.</summary>
    private static async Task ModelCallsAsync(VoiceSession voice, string callId, string name, string arguments, string responseId = "resp_1")
    {
        await voice.Backend.ResponseCreatedAsync(responseId);
        await voice.Backend.FunctionCallAsync(responseId, callId, name, arguments);
        await voice.Backend.ResponseDoneAsync(responseId);
    }

    private static Task<JsonNode> OutputAsync(VoiceSession voice, string callId) =>
        voice.Backend.WaitForAsync("conversation.item.create",
            e => (string?)e["item"]?["type"] == "function_call_output" && (string?)e["item"]?["call_id"] == callId);

    private static string ActionResult(object payload) => JsonSerializer.Serialize(new { type = "action_result", payload });

    [Fact]
    public async Task ModelCallsABrowserAction_PageGetsIt_AndItsResultGoesBackToTheModel()
    {
        await using var voice = await StartAsync();

        await ModelCallsAsync(voice, "call_abc", "show_message", """{"text":"Your order ships tomorrow."}""");

        var action = Payload(await voice.Client.WaitForTypeAsync("action"));
        Assert.Equal(["actionId", "name", "arguments"], action.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("call_abc", action.GetProperty("actionId").GetString());
        Assert.Equal("show_message", action.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, action.GetProperty("arguments").ValueKind);
        Assert.Equal("Your order ships tomorrow.", action.GetProperty("arguments").GetProperty("text").GetString());

        await voice.Client.SendAsync(ActionResult(new { actionId = "call_abc", ok = true, result = new { shown = true, at = "banner" } }));

        var output = await OutputAsync(voice, "call_abc");
        Assert.Equal("""{"ok":true,"result":{"shown":true,"at":"banner"}}""", (string?)output["item"]!["output"]);
        var next = await voice.Backend.WaitForAsync("response.create", e => voice.Backend.IndexOf(e) > voice.Backend.IndexOf(output));
        Assert.NotNull(next);

        // The same action answered twice: the second answer has nothing waiting for it.
        await voice.Client.SendAsync(ActionResult(new { actionId = "call_abc", ok = true }));
        var error = Payload(await voice.Client.WaitForTypeAsync("error"));
        Assert.Equal("unknown_action", error.GetProperty("code").GetString());

        var events = await voice.HangUpAsync();
        var tool = Assert.Single(events, e => e.Type == CallEventType.ToolCall);
        Assert.Equal("show_message", tool.Text);
        Assert.Equal("browser_action", tool.Data!["kind"]);
        Assert.Equal("call_abc", tool.Data["call_id"]);
        Assert.Equal("""{"text":"Your order ships tomorrow."}""", tool.Data["arguments"]);
        Assert.Equal("""{"ok":true,"result":{"shown":true,"at":"banner"}}""", tool.Detail);
    }

    [Fact]
    public async Task PageRefusesTheAction_TheErrorIsPassedOnToTheModel()
    {
        await using var voice = await StartAsync();
        await ModelCallsAsync(voice, "call_no", "show_message", """{"text":"x"}""");
        await voice.Client.WaitForTypeAsync("action");

        await voice.Client.SendAsync(ActionResult(new { actionId = "call_no", ok = false, error = "popup blocked" }));

        var output = await OutputAsync(voice, "call_no");
        Assert.Equal("""{"ok":false,"error":"popup blocked"}""", (string?)output["item"]!["output"]);
        await voice.Backend.WaitForAsync("response.create", e => voice.Backend.IndexOf(e) > voice.Backend.IndexOf(output));
    }

    [Fact]
    public async Task PageNeverAnswers_TheModelHearsSoAfterTheActionTimeout()
    {
        await using var voice = await StartAsync(settings: new() { ["Switchboard:Sessions:ActionTimeoutSeconds"] = "1" });
        await ModelCallsAsync(voice, "call_late", "show_message", "{}");
        var action = await voice.Client.WaitForTypeAsync("action");
        Assert.Empty(Payload(action).GetProperty("arguments").EnumerateObject());

        var output = await OutputAsync(voice, "call_late");
        Assert.Equal("""{"ok":false,"error":"the page did not answer in 1 s"}""", (string?)output["item"]!["output"]);
        await voice.Backend.WaitForAsync("response.create", e => voice.Backend.IndexOf(e) > voice.Backend.IndexOf(output));

        // Too late now.
        await voice.Client.SendAsync(ActionResult(new { actionId = "call_late", ok = true }));
        Assert.Equal("unknown_action", Payload(await voice.Client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        var tool = Assert.Single(await voice.HangUpAsync(), e => e.Type == CallEventType.ToolCall);
        Assert.Equal("browser_action", tool.Data!["kind"]);
    }

    [Fact]
    public async Task ActionResultForAnActionNeverAsked_IsUnknownAction_AndTheSessionGoesOn()
    {
        await using var voice = await StartAsync();

        await voice.Client.SendAsync(ActionResult(new { actionId = "call_nope", ok = true }));
        Assert.Equal("unknown_action", Payload(await voice.Client.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await voice.Client.SendAsync("""{"type":"action_result","payload":{"actionId":"call_nope"}}""");
        Assert.Equal("invalid_action_result", Payload(await voice.Client.WaitForTypeAsync("error")).GetProperty("code").GetString());

        await voice.SyncClientAsync();
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, voice.Client.State);
    }

    [Theory]
    [InlineData(InteractionModes.BrowserActions, "lookup_order", "tool_not_available")]
    [InlineData(InteractionModes.VoiceConversation, "show_message", "unknown_tool")]
    public async Task FunctionCallThatIsNotABrowserActionHere_IsNotSentToThePage(string mode, string name, string error)
    {
        await using var voice = await StartAsync(mode);

        await ModelCallsAsync(voice, "call_tool", name, "{}");

        // It runs as an ordinary tool: a declared one without an implementation is "not available", a name the endpoint only
        // declares as a browser action is an unknown tool outside browser_actions mode; either way the turn goes on.
        var output = await OutputAsync(voice, "call_tool");
        Assert.Contains($"\"error\":\"{error}\"", (string?)output["item"]!["output"], StringComparison.Ordinal);
        await voice.Backend.WaitForAsync("response.create", e => voice.Backend.IndexOf(e) > voice.Backend.IndexOf(output));
        // An action would have been sent before the output; the pong comes after anything sent so far.
        await voice.SyncClientAsync();
        Assert.DoesNotContain(voice.Client.Received, m => Type(m) == "action");

        var tool = Assert.Single(await voice.HangUpAsync(), e => e.Type == CallEventType.ToolCall);
        Assert.Equal("tool", tool.Data!["kind"]);
    }
}
