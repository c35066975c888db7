namespace Switchboard.Configuration;

/// <summary>
/// The voices OpenAI's and Azure's realtime models speak with (GA <c>audio.output.voice</c>). A name outside the list is
/// refused when an endpoint or the default agent is saved, not found out when a call's <c>session.update</c> fails.
/// The local test agent has no voices, so it takes any name.
/// </summary>
internal static class RealtimeVoices
{
    /// <summary>The known voices, in OpenAI's order.</summary>
    public static readonly IReadOnlyList<string> Known = ["alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"];

    /// <summary>True when <paramref name="voice"/> is one of <see cref="Known"/> (exact, lower case, as the API takes it).</summary>
    public static bool IsKnown(string? voice) => voice is not null && Known.Contains(voice, StringComparer.Ordinal);
}
