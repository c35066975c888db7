using Switchboard.Audio;

namespace Switchboard.Cli.Simulation;

/// <summary>Everything a simulated call needs; the same knobs as <c>switchboard simulate</c>, with audio as samples.</summary>
internal sealed record SimulationOptions
{
    /// <summary>Gateway WebSocket URL, exactly as the carrier would connect (it is also what the Twilio signature covers).</summary>
    public required string Url { get; init; }

    /// <summary>Which carrier to act as.</summary>
    public CarrierKind Carrier { get; init; } = CarrierKind.Twilio;

    /// <summary>Telnyx codec (Twilio is always μ-law).</summary>
    public MediaCodec Codec { get; init; } = MediaCodec.Pcmu;

    /// <summary>Telnyx sample rate: 8000, or 16000 with <see cref="MediaCodec.L16"/>. Twilio is always 8000.</summary>
    public int SampleRate { get; init; } = 8000;

    /// <summary>What the caller says, at any sample rate; null for the generated 1.5 s test speech.</summary>
    public WavAudio? CallerAudio { get; init; }

    /// <summary>What the caller says when barging in; null to reuse <see cref="CallerAudio"/>.</summary>
    public WavAudio? BargeInAudio { get; init; }

    /// <summary>Offsets from the stream start, in seconds, at which barge-in speech starts.</summary>
    public IReadOnlyList<double> BargeInAtSeconds { get; init; } = [];

    /// <summary>Silence before the caller starts speaking, in seconds.</summary>
    public double LeadInSeconds { get; init; } = 0.5;

    /// <summary>How long the call stays open after the last caller audio, in seconds.</summary>
    public double TailSeconds { get; init; } = 4;

    /// <summary>Time acceleration: 1 is real time; 10 sends frames and plays audio ten times faster.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Simulated carrier jitter buffer: how long audio waits before it starts playing after silence.</summary>
    public double PlayoutDelayMs { get; init; } = 60;

    /// <summary>Silence longer than this separates agent turns; shorter gaps count as playout underruns.</summary>
    public double TurnGapMs { get; init; } = 250;

    /// <summary>Twilio customParameters / Telnyx client_state JSON fields, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    /// <summary>Twilio auth token: when set, the upgrade carries <c>X-Twilio-Signature</c>.</summary>
    public string? AuthToken { get; init; }

    /// <summary>Telnyx stream token: when set, appended as <c>?token=</c>.</summary>
    public string? Token { get; init; }

    /// <summary>Keys the caller presses.</summary>
    public IReadOnlyList<DtmfPress> Dtmf { get; init; } = [];

    /// <summary>Stream identifiers; null for fresh random ones.</summary>
    public CallIdentity? Identity { get; init; }

    /// <summary>Extra headers on the WebSocket upgrade.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>How long to wait for the WebSocket to open.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long (wall time) to wait for the gateway's close reply after the carrier closes.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Called for every timeline entry as it happens (from several threads, one at a time).</summary>
    public Action<TimelineEntry>? OnTimeline { get; init; }

    /// <summary>The stream format these options select.</summary>
    public StreamFormat Format => Carrier == CarrierKind.Twilio ? StreamFormat.Twilio : new StreamFormat(Codec, SampleRate);

    /// <summary>Every problem with these options, each phrased as a fix; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
        {
            errors.Add($"'{Url}' is not a WebSocket URL; expected ws://host:port/path or wss://…");
        }

        if (Carrier == CarrierKind.Twilio && (Codec != MediaCodec.Pcmu || SampleRate != 8000))
        {
            errors.Add("Twilio streams are always μ-law at 8000 Hz; --codec and --rate apply to Telnyx only");
        }

        if (SampleRate is not (8000 or 16000) || (SampleRate == 16000 && Codec != MediaCodec.L16))
        {
            errors.Add($"sample rate {SampleRate} is not supported; use 8000, or 16000 with L16");
        }

        if (!double.IsFinite(Speed) || Speed <= 0 || Speed > 1000)
        {
            errors.Add($"speed {Speed} must be greater than 0 and at most 1000");
        }

        if (!double.IsFinite(PlayoutDelayMs) || PlayoutDelayMs < 0 || !double.IsFinite(TurnGapMs) || TurnGapMs < 0)
        {
            errors.Add("the playout delay and turn gap must be zero or more milliseconds");
        }

        if (!double.IsFinite(TailSeconds) || TailSeconds < 0 || !double.IsFinite(LeadInSeconds) || LeadInSeconds < 0)
        {
            errors.Add("the tail and lead-in must be zero or more seconds");
        }

        if (BargeInAtSeconds.Any(s => !double.IsFinite(s) || s < 0))
        {
            errors.Add("barge-in offsets must be zero or more seconds");
        }

        if (CallerAudio is { Samples.Length: 0 } || BargeInAudio is { Samples.Length: 0 })
        {
            errors.Add("the caller audio is empty");
        }

        if (Dtmf.Any(d => !DtmfPress.IsValidDigit(d.Digit) || d.AtMs < 0))
        {
            errors.Add("DTMF digits must be 0-9, *, # or A-D at zero or more seconds");
        }

        var duplicate = Parameters.GroupBy(p => p.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            errors.Add($"parameter '{duplicate.Key}' is given more than once");
        }

        return errors;
    }
}
