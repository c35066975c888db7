using Switchboard.Audio;

namespace Switchboard.LocalAgent;

/// <summary>
/// A VAD transition on the session's input timeline (milliseconds of input audio since the session began).
/// <see cref="OnsetMs"/> is where speech began, without prefix padding; <see cref="EndMs"/> is set on stop.
/// </summary>
internal readonly record struct LocalVadEvent(VadTransition Transition, long OnsetMs, long EndMs);
