using Switchboard.Audio;

namespace Switchboard.Carriers;

/// <summary>What the carrier tells us when a stream starts.</summary>
internal sealed record CallStartInfo
{
    /// <summary>The carrier's id of the call (Twilio CallSid, Telnyx call_control_id).</summary>
    public string? CarrierCallId { get; init; }

    /// <summary>The carrier's id of the media stream (Twilio streamSid, Telnyx stream_id).</summary>
    public string? StreamId { get; init; }

    public string? AccountId { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    /// <summary>Twilio <c>customParameters</c> or the fields of Telnyx <c>client_state</c> JSON.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    public AudioFormat Format { get; init; } = AudioFormat.MuLaw8k;
}
