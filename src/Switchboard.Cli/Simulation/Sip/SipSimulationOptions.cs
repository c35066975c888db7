namespace Switchboard.Cli.Simulation.Sip;

/// <summary>What <c>switchboard simulate --sip</c> plays: OpenAI's SIP connector, and the caller behind it.</summary>
internal sealed record SipSimulationOptions
{
    /// <summary>Where OpenAI's REST calls and sideband are served by default (the gateway's OPENAI_BASE_URL and OPENAI_REALTIME_URL point here).</summary>
    public const string DefaultListenUrl = "http://127.0.0.1:5071";

    /// <summary>The gateway's webhook, e.g. <c>http://127.0.0.1:5050/openai/webhook</c> (with <c>?endpointId=</c> to pick one).</summary>
    public required string WebhookUrl { get; init; }

    /// <summary>The simulated connector's own address: REST under <c>/v1</c> (and <c>/openai/v1</c>), sideband at <c>/v1/realtime</c>.</summary>
    public string ListenUrl { get; init; } = DefaultListenUrl;

    /// <summary>The webhook signing secret (<c>whsec_…</c> or raw); null signs with a throwaway secret (a gateway in TEST_MODE takes it).</summary>
    public string? Secret { get; init; }

    /// <summary>The caller's number, sent as the INVITE's <c>From</c>.</summary>
    public string From { get; init; } = "+15550001111";

    /// <summary>The number dialled, sent as <c>To</c> (routes to the endpoint listing it).</summary>
    public string To { get; init; } = "+15550002222";

    /// <summary>The connector's id of the call.</summary>
    public string CallId { get; init; } = "rtc_sim_" + Guid.NewGuid().ToString("N")[..24];

    /// <summary>Extra INVITE headers (the carrier's <c>X-</c> headers).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>What the caller says, 16-bit PCM at 24 kHz (the local backend's rate); null: a generated speech-like signal.</summary>
    public short[]? CallerAudio { get; init; }

    /// <summary>Seconds from the sideband attaching until the caller starts speaking (the greeting plays meanwhile).</summary>
    public double LeadInSeconds { get; init; } = 3;

    /// <summary>Seconds the caller stays on the line after speaking, unless the call ends first.</summary>
    public double TailSeconds { get; init; } = 8;

    /// <summary>A local backend scenario (tools, transfers, goodbyes); null: the echo agent.</summary>
    public string? ScenarioPath { get; init; }

    /// <summary>When set, the caller hangs up this many seconds after the sideband attached (it drops without a close frame).</summary>
    public double? HangUpAtSeconds { get; init; }

    /// <summary>Each timeline line as it happens.</summary>
    public Action<string>? OnTimeline { get; init; }
}
