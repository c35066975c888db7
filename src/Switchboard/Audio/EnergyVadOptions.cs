namespace Switchboard.Audio;

/// <summary>Tuning for <see cref="EnergyVad"/>; the defaults mirror OpenAI server VAD's padding and silence.</summary>
/// <param name="ThresholdDbfs">A 10 ms window is loud when its RMS level (see <see cref="Pcm16.RmsDbfs"/>) is at or above this.</param>
/// <param name="MinSpeechMs">Consecutive loud audio needed before speech starts; shorter clicks are ignored.</param>
/// <param name="SilenceMs">Consecutive quiet audio needed before speech stops.</param>
/// <param name="PrefixPaddingMs">How far before the first loud window <see cref="EnergyVad.SpeechStartMs"/> is placed.</param>
internal sealed record EnergyVadOptions(double ThresholdDbfs = -40, int MinSpeechMs = 60, int SilenceMs = 500, int PrefixPaddingMs = 300);
