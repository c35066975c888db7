namespace Switchboard.Sessions;

/// <summary>The <c>type</c> of server messages on <c>/ws/session</c>.</summary>
internal static class SessionMessageTypes
{
    /// <summary>Connection and turn state (<see cref="Calls.CallerStates"/>).</summary>
    public const string Status = "status";

    /// <summary>A piece of the conversation: the user's turn, or the agent's (as deltas, then final).</summary>
    public const string Transcript = "transcript";

    public const string Error = "error";

    public const string Pong = "pong";

    /// <summary>A piece of the agent's speech (PCM16 24 kHz, base64).</summary>
    public const string Audio = "audio";

    /// <summary>An agent item has no more audio.</summary>
    public const string AudioDone = "audio_done";

    /// <summary>Stop playback now and report the played position.</summary>
    public const string Interrupt = "interrupt";

    /// <summary>Listen sessions: the call has ended (the close follows).</summary>
    public const string CallEnded = "call_ended";

    /// <summary>Perform a browser action and answer <c>action_result</c>.</summary>
    public const string Action = "action";

    /// <summary>A message an external chatbot sent into the conversation (text mode; voice modes speak it).</summary>
    public const string Chatbot = "chatbot";
}
