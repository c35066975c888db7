namespace Switchboard.Agents;

/// <summary>How a session talks with an agent (the <c>mode</c> of <c>POST /api/v1/sessions</c>).</summary>
internal static class InteractionModes
{
    /// <summary>Text in, text out over <c>/ws/session</c>.</summary>
    public const string Text = "text";

    /// <summary>The agent's replies are spoken to the client; the client sends text.</summary>
    public const string AudioPlayback = "audio_playback";

    /// <summary>Full-duplex voice from the browser.</summary>
    public const string VoiceConversation = "voice_conversation";

    /// <summary>Voice plus tools whose effect is an action on the client page.</summary>
    public const string BrowserActions = "browser_actions";

    /// <summary>Follow a live call of the team without taking part: hear both sides and read the transcript (docs/sessions.md).</summary>
    public const string Listen = "listen";

    public static IReadOnlyList<string> All { get; } = [Text, AudioPlayback, VoiceConversation, BrowserActions, Listen];

    /// <summary>Modes this gateway can run today; the others are accepted in endpoint configuration but refused at session creation.</summary>
    public static IReadOnlyList<string> Implemented { get; } = [Text, AudioPlayback, VoiceConversation, BrowserActions, Listen];

    public static bool IsKnown(string mode) => All.Contains(mode, StringComparer.Ordinal);
}
