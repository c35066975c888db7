namespace Switchboard.Server.Chatbot;

/// <summary>The body of <c>200 OK</c> to a chatbot callback: the message was appended as stream entry <paramref name="StreamId"/> (<c>&lt;ms&gt;-&lt;seq&gt;</c>).</summary>
internal sealed record ChatbotCallbackResponse(bool Received, string StreamId);
