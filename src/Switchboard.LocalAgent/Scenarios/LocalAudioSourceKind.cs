namespace Switchboard.LocalAgent.Scenarios;

/// <summary>Where the audio of a scripted reply comes from.</summary>
internal enum LocalAudioSourceKind
{
    /// <summary>No audio: the reply has a transcript only.</summary>
    None,

    /// <summary>The caller's last turn, transcoded to the output format (a chime when there is none).</summary>
    Echo,

    /// <summary>A 440 Hz tone whose length follows the text (about 60 ms per character, at most 8 s).</summary>
    Tone,

    /// <summary>The short two-note chime.</summary>
    Chime,

    /// <summary>A WAV file resampled to the output format.</summary>
    Wav,
}
