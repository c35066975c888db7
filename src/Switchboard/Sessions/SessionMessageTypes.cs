namespace Switchboard.Sessions;

/// <summary>The <c>type</c> of server messages on <c>/ws/session</c>.</summary>
internal static class SessionMessageTypes
{
    /// <summary>Connection and turn state (<see cref="SessionStates"/>).</summary>
    public const string Status = "status";

    /// <summary>A piece of the conversation: the user's turn, or the agent's (as deltas, then final).</summary>
    public const string Transcript = "transcript";

    public const string Error = "error";

    public const string Pong = "pong";
}
