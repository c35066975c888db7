using Switchboard.Configuration;
using Switchboard.LocalAgent.Replies;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.Tests.LocalAgent;

public sealed class LocalReplyPlannerTests
{
    private static readonly LocalCallerTurn Turn = new([1, 2, 3, 4], 8000, 1.2);

    [Fact]
    public void Echo_CallerTurn_EchoesItsAudioOnce()
    {
        var planner = new LocalReplyPlanner(LocalAgentMode.Echo, null);
        planner.OnCallerTurn(Turn);

        var plan = planner.Plan(outOfBand: false, textOutput: false);
        Assert.Equal("(echo)", plan.Transcript);
        Assert.Same(Turn.Samples, plan.Audio.Samples);
        Assert.Equal(8000, plan.Audio.SampleRate);

        // The turn is answered; another response without new input plays the chime.
        var again = planner.Plan(outOfBand: false, textOutput: false);
        Assert.Equal(LocalAudioSourceKind.Chime, again.Audio.Kind);
        Assert.Equal("(chime)", again.Transcript);
    }

    [Fact]
    public void Echo_TextModality_DescribesTheTurnAndTypedText()
    {
        var planner = new LocalReplyPlanner(LocalAgentMode.Echo, null);
        planner.OnCallerTurn(Turn);
        Assert.Equal("(echo) (1.2 s of speech)", planner.Plan(false, textOutput: true).Transcript);

        planner.OnUserText("Hi there");
        var plan = planner.Plan(false, textOutput: false);
        Assert.Equal("(echo) Hi there", plan.Transcript);
        Assert.Equal(LocalAudioSourceKind.Chime, plan.Audio.Kind);
    }

    [Fact]
    public void Scripted_GreetingTurnsFollowUpAndAfterLastTurn()
    {
        var scenario = LocalScenario.Parse("""
            {
              "greeting": { "text": "Welcome." },
              "turns": [
                { "text": "First.", "audio": "echo" },
                { "function_call": { "name": "lookup", "arguments": { "id": 1 } }, "then": { "text": "Done looking." } }
              ],
              "after_last_turn": "repeat_last"
            }
            """, ".", "test");
        var planner = new LocalReplyPlanner(LocalAgentMode.Scripted, scenario);

        var greeting = planner.Plan(false, false);
        Assert.Equal("Welcome.", greeting.Transcript);
        Assert.Equal(LocalAudioSourceKind.Tone, greeting.Audio.Kind);
        Assert.Equal(LocalScenario.ToneMsFor("Welcome."), greeting.Audio.ToneMs);

        planner.OnCallerTurn(Turn);
        var first = planner.Plan(false, false);
        Assert.Equal("First.", first.Transcript);
        Assert.Same(Turn.Samples, first.Audio.Samples);

        // Out-of-band responses neither consume input nor advance the script.
        Assert.Equal(HonestTranscript.OutOfBand, planner.Plan(outOfBand: true, textOutput: false).Transcript);
        Assert.Equal(1, planner.NextTurnIndex);

        planner.OnUserText("look it up");
        var call = planner.Plan(false, false);
        Assert.False(call.HasMessage);
        Assert.Equal("lookup", call.FunctionCall!.Name);
        Assert.Equal("""{"id":1}""", call.FunctionCall.Arguments);
        Assert.StartsWith("call_", call.FunctionCall.CallId, StringComparison.Ordinal);

        // Output for another call does not release the follow-up.
        planner.OnFunctionCallOutput("call_other");
        planner.OnFunctionCallOutput(call.FunctionCall.CallId);
        var followUp = planner.Plan(false, false);
        Assert.Equal("Done looking.", followUp.Transcript);

        // After the last turn: repeat the last reply (a new call id each time).
        var repeat = planner.Plan(false, false);
        Assert.Equal("lookup", repeat.FunctionCall!.Name);
        Assert.NotEqual(call.FunctionCall.CallId, repeat.FunctionCall.CallId);
    }

    [Fact]
    public void Scripted_NoGreeting_FirstResponsePlaysChimeWithoutUsingATurn()
    {
        var scenario = LocalScenario.Parse("""{ "turns": [ { "text": "One." } ], "after_last_turn": "silence" }""", ".", "test");
        var planner = new LocalReplyPlanner(LocalAgentMode.Scripted, scenario);

        Assert.Equal("(chime)", planner.Plan(false, false).Transcript);
        Assert.Equal("One.", planner.Plan(false, false).Transcript);
        var silence = planner.Plan(false, false);
        Assert.Equal("", silence.Transcript);
        Assert.Equal(LocalAudioSourceKind.None, silence.Audio.Kind);
    }

    [Fact]
    public void Scripted_EchoAfterLastTurn_EchoesTheCaller()
    {
        var scenario = LocalScenario.Parse("""{ "turns": [] }""", ".", "test");
        var planner = new LocalReplyPlanner(LocalAgentMode.Scripted, scenario);
        planner.OnCallerTurn(Turn);
        var plan = planner.Plan(false, false);
        Assert.Equal("(echo)", plan.Transcript);
        Assert.Same(Turn.Samples, plan.Audio.Samples);
    }

    [Fact]
    public void Scripted_WithoutScenario_Throws() =>
        Assert.Throws<ArgumentException>(() => new LocalReplyPlanner(LocalAgentMode.Scripted, null));
}
