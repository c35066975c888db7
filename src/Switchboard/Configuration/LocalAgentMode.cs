namespace Switchboard.Configuration;

/// <summary>How the built-in local realtime backend answers a caller.</summary>
public enum LocalAgentMode
{
    /// <summary>Replies to each caller turn with the caller's own audio; a chime when there is nothing to echo.</summary>
    Echo,

    /// <summary>Follows a scenario file: greeting, replies in order, function calls and what to do after the last turn.</summary>
    Scripted,
}
