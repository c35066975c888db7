namespace Switchboard.Sessions;

/// <summary>A parsed client message; <see cref="Text"/> is set for <see cref="SessionClientMessageKind.Text"/>.</summary>
internal readonly record struct SessionClientMessage(SessionClientMessageKind Kind, string? Text);
