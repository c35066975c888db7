namespace Switchboard.Audio;

/// <summary>What a call to <see cref="EnergyVad.Process"/> changed.</summary>
internal enum VadTransition
{
    /// <summary>No change of state.</summary>
    None,

    /// <summary>Speech began (after <see cref="EnergyVadOptions.MinSpeechMs"/> of loud audio).</summary>
    SpeechStarted,

    /// <summary>Speech ended (after <see cref="EnergyVadOptions.SilenceMs"/> of quiet audio).</summary>
    SpeechStopped,
}
