namespace Switchboard.Calls;

/// <summary>Whose audio a <see cref="TapAudio"/> chunk is.</summary>
internal enum TapSource
{
    /// <summary>The caller (a phone line, a browser microphone).</summary>
    Caller,

    /// <summary>The agent's speech, as the caller hears it.</summary>
    Agent,
}
