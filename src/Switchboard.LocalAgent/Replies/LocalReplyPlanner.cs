using Switchboard.Configuration;
using Switchboard.LocalAgent.Protocol;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.LocalAgent.Replies;

/// <summary>
/// Decides what each response says, in echo or scripted mode. It only sees inputs (caller turns, typed
/// messages, function call outputs) and requests; rendering and streaming belong to the session.
/// Not thread-safe: the session calls it under its state lock.
/// </summary>
internal sealed class LocalReplyPlanner
{
    private readonly LocalAgentMode _mode;
    private readonly LocalScenario? _scenario;

    // The input the next in-band response answers; consumed by that response.
    private LocalCallerTurn? _pendingTurn;
    private string? _pendingText;

    // Kept after consumption: a scripted "echo" reply plays the caller's last turn.
    private LocalCallerTurn? _lastTurn;
    private bool _anyInput;
    private bool _greetingDone;
    private int _nextTurn;
    private LocalScenarioReply? _lastReply;

    // A scripted reply's "then", waiting for the function_call_output of its call.
    private string? _followUpCallId;
    private LocalScenarioReply? _followUp;
    private bool _followUpOutputReceived;

    public LocalReplyPlanner(LocalAgentMode mode, LocalScenario? scenario)
    {
        if (mode == LocalAgentMode.Scripted && scenario is null)
        {
            throw new ArgumentException("Scripted mode needs a scenario.", nameof(scenario));
        }

        _mode = mode;
        _scenario = scenario;
    }

    /// <summary>Index of the next scripted turn (for logs and tests).</summary>
    public int NextTurnIndex => _nextTurn;

    public void OnCallerTurn(LocalCallerTurn turn)
    {
        _pendingTurn = turn;
        _pendingText = null;
        _lastTurn = turn;
        _anyInput = true;
    }

    public void OnUserText(string text)
    {
        _pendingText = text;
        _pendingTurn = null;
        _anyInput = true;
    }

    public void OnFunctionCallOutput(string callId)
    {
        if (_followUpCallId is not null && string.Equals(callId, _followUpCallId, StringComparison.Ordinal))
        {
            _followUpOutputReceived = true;
        }
    }

    /// <summary>Plans the next response. Out-of-band responses neither consume input nor advance the script.</summary>
    public LocalReplyPlan Plan(bool outOfBand, bool textOutput)
    {
        if (outOfBand)
        {
            return LocalReplyPlan.Message(HonestTranscript.OutOfBand, LocalPlannedAudio.Chime);
        }

        if (_mode == LocalAgentMode.Echo)
        {
            return PlanEcho(textOutput);
        }

        if (_followUp is not null && _followUpOutputReceived)
        {
            var followUp = _followUp;
            _followUp = null;
            _followUpCallId = null;
            _followUpOutputReceived = false;
            ConsumeInput();
            return FromReply(followUp);
        }

        if (!_anyInput && !_greetingDone)
        {
            _greetingDone = true;
            if (_scenario!.Greeting is { } greeting)
            {
                return FromReply(greeting);
            }

            return LocalReplyPlan.Message(HonestTranscript.Chime, LocalPlannedAudio.Chime);
        }

        if (_nextTurn < _scenario!.Turns.Count)
        {
            var reply = _scenario.Turns[_nextTurn++];
            _lastReply = reply;
            ConsumeInput();
            return FromReply(reply);
        }

        switch (_scenario.AfterLastTurn)
        {
            case LocalAfterLastTurn.RepeatLast when _lastReply is not null:
                ConsumeInput();
                return FromReply(_lastReply);
            case LocalAfterLastTurn.Silence:
                ConsumeInput();
                return LocalReplyPlan.Message("", LocalPlannedAudio.None);
            default:
                return PlanEcho(textOutput);
        }
    }

    private LocalReplyPlan PlanEcho(bool textOutput)
    {
        var turn = _pendingTurn;
        var text = _pendingText;
        ConsumeInput();
        if (turn is not null)
        {
            return textOutput
                ? LocalReplyPlan.Message(HonestTranscript.Echo + " " + HonestTranscript.SpeechDuration(turn.SpeechSeconds), LocalPlannedAudio.None)
                : LocalReplyPlan.Message(HonestTranscript.Echo, LocalPlannedAudio.Pcm(turn.Samples, turn.SampleRate));
        }

        if (text is not null)
        {
            return LocalReplyPlan.Message(HonestTranscript.EchoText(text), LocalPlannedAudio.Chime);
        }

        return LocalReplyPlan.Message(HonestTranscript.Chime, LocalPlannedAudio.Chime);
    }

    private LocalReplyPlan FromReply(LocalScenarioReply reply)
    {
        LocalPlannedFunctionCall? call = null;
        if (reply.FunctionCall is { } scripted)
        {
            call = new LocalPlannedFunctionCall(LocalIds.Call(), scripted.Name, scripted.Arguments);
            if (reply.Then is not null)
            {
                _followUp = reply.Then;
                _followUpCallId = call.CallId;
                _followUpOutputReceived = false;
            }
        }

        if (!reply.HasMessage)
        {
            return new LocalReplyPlan(false, "", LocalPlannedAudio.None, call);
        }

        var source = reply.Audio ?? LocalAudioSource.None;
        LocalPlannedAudio audio;
        string defaultTranscript;
        switch (source.Kind)
        {
            case LocalAudioSourceKind.Echo when _lastTurn is not null:
                audio = LocalPlannedAudio.Pcm(_lastTurn.Samples, _lastTurn.SampleRate);
                defaultTranscript = HonestTranscript.Echo;
                break;
            case LocalAudioSourceKind.Echo:
            case LocalAudioSourceKind.Chime:
                audio = LocalPlannedAudio.Chime;
                defaultTranscript = HonestTranscript.Chime;
                break;
            case LocalAudioSourceKind.Tone:
                audio = LocalPlannedAudio.Tone(LocalScenario.ToneMsFor(reply.Text));
                defaultTranscript = HonestTranscript.Tone;
                break;
            case LocalAudioSourceKind.Wav:
                audio = LocalPlannedAudio.Pcm(source.Wav!.Samples, source.Wav.SampleRate);
                defaultTranscript = HonestTranscript.WavFile(source.WavPath!);
                break;
            default:
                audio = LocalPlannedAudio.None;
                defaultTranscript = "";
                break;
        }

        return new LocalReplyPlan(true, reply.Text ?? defaultTranscript, audio, call);
    }

    private void ConsumeInput()
    {
        _pendingTurn = null;
        _pendingText = null;
    }
}
