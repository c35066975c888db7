namespace Switchboard.LocalAgent;

/// <summary>Conversation item types the local agent keeps track of.</summary>
internal enum LocalItemKind
{
    /// <summary>A user message with <c>input_audio</c> content (a committed caller turn).</summary>
    UserAudio,

    /// <summary>A message created by the client (user text, system text, assistant text).</summary>
    ClientMessage,

    /// <summary>An assistant message produced by a response.</summary>
    AssistantMessage,

    /// <summary>A <c>function_call</c> produced by a response or created by the client.</summary>
    FunctionCall,

    /// <summary>A <c>function_call_output</c> created by the client.</summary>
    FunctionCallOutput,
}
