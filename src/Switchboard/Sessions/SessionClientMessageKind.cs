namespace Switchboard.Sessions;

/// <summary>What a client message on <c>/ws/session</c> asks for.</summary>
internal enum SessionClientMessageKind
{
    /// <summary><c>text</c> (or its alias <c>user_message</c>): a user turn typed by the client.</summary>
    Text,

    /// <summary><c>hangup</c>: end the conversation (close 1000).</summary>
    Hangup,

    /// <summary><c>ping</c>: answered with <c>pong</c>, for clients that want an application-level liveness check.</summary>
    Ping,

    /// <summary><c>playback</c>: how much of an agent item the client has actually played.</summary>
    Playback,

    /// <summary><c>interrupt</c>: the client stopped the agent itself.</summary>
    Interrupt,

    /// <summary><c>action_result</c>: the page's answer to an <c>action</c>.</summary>
    ActionResult,
}
