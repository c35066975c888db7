namespace Switchboard.Sessions;

/// <summary>What <see cref="SessionAudioScanner.Scan"/> found.</summary>
internal enum SessionAudioScan
{
    /// <summary>Not an <c>audio</c> message (or not one this scanner can read); parse it the general way.</summary>
    NotAudio,

    /// <summary>A well-formed <c>audio</c> message.</summary>
    Audio,

    /// <summary>An <c>audio</c> message with a bad payload; the error says what.</summary>
    Invalid,
}
