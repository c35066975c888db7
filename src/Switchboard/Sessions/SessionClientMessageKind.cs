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
}
