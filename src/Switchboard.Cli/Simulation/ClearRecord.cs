namespace Switchboard.Cli.Simulation;

/// <summary>
/// A <c>clear</c> from the gateway. <paramref name="SinceSpeechStartMs"/> is measured from the start of the latest
/// caller speech that began before it (a barge-in when <paramref name="DuringBargeIn"/>); null if the caller had not spoken.
/// </summary>
internal sealed record ClearRecord(double TimeMs, double? SinceSpeechStartMs, bool DuringBargeIn, double DroppedAudioMs, int MarksEchoed);
