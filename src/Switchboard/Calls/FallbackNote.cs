namespace Switchboard.Calls;

/// <summary>What admission found about an endpoint's fallback backend, for the call to journal and log.</summary>
/// <param name="UsedAtStart">True: the primary is not configured here and the call starts on the fallback; false: the fallback is not configured here.</param>
/// <param name="Primary">The backend the spec names first (<c>backend</c>, <c>/model</c> when set).</param>
/// <param name="Detail">Why (the provider's message; no secrets).</param>
internal sealed record FallbackNote(bool UsedAtStart, string Primary, string Detail);
