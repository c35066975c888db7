using System.Globalization;

namespace Switchboard.LocalAgent.Replies;

/// <summary>
/// Texts the local agent uses where a real model would put recognised or generated words.
/// They say what the agent actually did, so nobody mistakes them for speech recognition.
/// </summary>
internal static class HonestTranscript
{
    /// <summary>Transcript of an echoed caller turn.</summary>
    public const string Echo = "(echo)";

    /// <summary>Transcript of the chime played when there is nothing to echo.</summary>
    public const string Chime = "(chime)";

    /// <summary>Transcript of a tone played without scripted text.</summary>
    public const string Tone = "(tone)";

    /// <summary>Transcript of an out-of-band response (<c>conversation: "none"</c>).</summary>
    public const string OutOfBand = "(out-of-band response)";

    /// <summary>"(1.4 s of speech)": the caller's speech duration with one decimal, invariant culture.</summary>
    public static string SpeechDuration(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0)
        {
            seconds = 0;
        }

        return "(" + seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s of speech)";
    }

    /// <summary>"(1.4 s of audio)": a manually committed buffer, whose speech the agent did not measure.</summary>
    public static string AudioDuration(double seconds) =>
        "(" + Math.Max(0, seconds).ToString("0.0", CultureInfo.InvariantCulture) + " s of audio)";

    /// <summary>"(echo) text": the answer to a typed user message.</summary>
    public static string EchoText(string text) => Echo + " " + text;

    /// <summary>"(audio: name.wav)": transcript of a scripted WAV reply without text.</summary>
    public static string WavFile(string path) => "(audio: " + Path.GetFileName(path) + ")";
}
