using Switchboard.Audio;

namespace Switchboard.Calls;

/// <summary>What the caller's side tells the gateway when a call begins (a carrier's <c>start</c>, a session's record).</summary>
internal sealed record CallStartInfo
{
    /// <summary>The carrier's id of the call (Twilio CallSid, Telnyx call_control_id).</summary>
    public string? CarrierCallId { get; init; }

    /// <summary>The carrier's id of the media stream (Twilio streamSid, Telnyx stream_id).</summary>
    public string? StreamId { get; init; }

    public string? AccountId { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    /// <summary>
    /// Whether <see cref="Parameters"/> reached the gateway through an upgrade the carrier signed (Twilio with an auth
    /// token), so they are what the gateway's own TwiML put there; otherwise a caller could have written them.
    /// </summary>
    public bool ParametersSigned { get; init; }

    /// <summary>Twilio <c>customParameters</c> or the fields of Telnyx <c>client_state</c> JSON.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public AudioFormat Format { get; init; } = AudioFormat.MuLaw8k;

    /// <summary>A session's team and endpoint: the call runs on exactly that endpoint.</summary>
    public Guid? TeamId { get; init; }

    public Guid? EndpointId { get; init; }

    /// <summary>A session's id, interaction mode and flow (null for phone calls).</summary>
    public Guid? SessionId { get; init; }

    public string? Mode { get; init; }

    public string? Flow { get; init; }
}
