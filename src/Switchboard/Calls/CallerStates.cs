namespace Switchboard.Calls;

/// <summary>What the agent is doing, as a caller leg that shows it is told (a session's <c>status</c> messages).</summary>
internal static class CallerStates
{
    /// <summary>The first message of every connection: the token was accepted.</summary>
    public const string Connected = "connected";

    /// <summary>The agent is ready for (or done with) a turn.</summary>
    public const string Idle = "idle";

    /// <summary>The agent is working on a user turn; transcript deltas follow.</summary>
    public const string Thinking = "thinking";

    /// <summary>Voice modes: the user is speaking (the backend detected speech).</summary>
    public const string Listening = "listening";

    /// <summary>Voice modes: the agent's audio is being produced.</summary>
    public const string Speaking = "speaking";
}
