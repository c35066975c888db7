namespace Switchboard.LocalAgent.Replies;

/// <summary>A committed caller turn: its PCM audio (prefix padding included, capped) and the speech duration.</summary>
internal sealed record LocalCallerTurn(short[] Samples, int SampleRate, double SpeechSeconds);
