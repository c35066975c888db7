namespace Switchboard.Configuration;

/// <summary>
/// Live calls from the Telegram Mini App (section <c>Switchboard:Realtime</c>; env <c>REALTIME_CONTROL_SECRET</c>): the operator
/// bridge, the public origin of the Mini App, the agent the calls reach, their caps and the bootstrap rate limits. Times are in
/// seconds. See docs/telegram.md.
/// </summary>
public sealed record RealtimeOptions
{
    /// <summary>Whether realtime calling is on (null: on when a Telegram bot token is set).</summary>
    public bool? Enabled { get; init; }

    /// <summary>The operator bridge's id (<c>[a-z0-9_-]{1,32}</c>; default <c>default</c>): its calls run on the endpoint <c>telegram-&lt;id&gt;</c>.</summary>
    public string BridgeId { get; init; } = "default";

    /// <summary>Where the Mini App is served from: <c>static-public-url</c> (default) or <c>managed-quick-tunnel</c>.</summary>
    public string TunnelMode { get; init; } = "static-public-url";

    /// <summary>The Mini App's public origin in <c>static-public-url</c> mode (default <c>Switchboard:PublicBaseUrl</c>).</summary>
    public string? PublicUrl { get; init; }

    /// <summary>The tunnel program in <c>managed-quick-tunnel</c> mode (default <c>cloudflared</c>).</summary>
    public string TunnelCommand { get; init; } = "cloudflared";

    /// <summary>Its arguments; <c>{port}</c> is the gateway's local port (default <c>tunnel --url http://127.0.0.1:{port}</c>).</summary>
    public string TunnelArguments { get; init; } = "tunnel --url http://127.0.0.1:{port}";

    /// <summary>The gateway's local port the tunnel forwards to (0: the first address the gateway listens on).</summary>
    public int TunnelPort { get; init; }

    /// <summary>Where <c>switchboard ctl</c> reaches the gateway (default <c>http://127.0.0.1:5050</c>).</summary>
    public string ControlUrl { get; init; } = "http://127.0.0.1:5050";

    /// <summary>The operator's shared secret for <c>/ws/bridge</c> and the control routes (env <c>REALTIME_CONTROL_SECRET</c>). Never logged.</summary>
    public string? ControlSecret { get; init; }

    /// <summary>The model of the bridge's calls (empty: the gateway's configured one).</summary>
    public string? Model { get; init; }

    /// <summary>The caller transcription model (empty: the endpoint default).</summary>
    public string? TranscriptionModel { get; init; }

    /// <summary>The agent's voice (empty: the gateway's <c>Agent:Voice</c>).</summary>
    public string? Voice { get; init; }

    /// <summary>The agent's instructions (empty: the endpoint default).</summary>
    public string? Instructions { get; init; }

    /// <summary>Longest call, in seconds (default 600).</summary>
    public int MaxCallSeconds { get; init; } = 600;

    /// <summary>Call seconds the bridge's calls may use per day, all together (default 3600; 0: no budget).</summary>
    public int MaxDailyCallSeconds { get; init; } = 3600;

    /// <summary>Silence after which the agent asks whether the caller is there, in seconds (default 30; 0: off).</summary>
    public int IdleWarningSeconds { get; init; } = 30;

    /// <summary>Silence after which the call ends <c>idle_timeout</c>, in seconds (default 60; 0: off).</summary>
    public int IdleTimeoutSeconds { get; init; } = 60;

    /// <summary>An armed surface with no call for this long disarms itself, in seconds (default 900; 0: never).</summary>
    public int AutoDisarmSeconds { get; init; } = 900;

    /// <summary>Lifetime of the launch token in a <c>/call</c> button, in seconds (default 120).</summary>
    public int LaunchTokenTtlSeconds { get; init; } = 120;

    /// <summary>Lifetime of the voice token a bootstrap answers (the page connects within it), in seconds (default 60).</summary>
    public int CallTokenTtlSeconds { get; init; } = 60;

    /// <summary><c>POST /api/call/bootstrap</c> per client address: burst 20, 1 every 3 s.</summary>
    public RateLimitBucketOptions BootstrapPerIp { get; init; } = new() { TokenLimit = 20, TokensPerPeriod = 1, ReplenishmentPeriodSeconds = 3 };

    /// <summary>Bootstraps per bridge, all users together: burst 20, 1 every 3 s.</summary>
    public RateLimitBucketOptions BootstrapPerBridge { get; init; } = new() { TokenLimit = 20, TokensPerPeriod = 1, ReplenishmentPeriodSeconds = 3 };

    /// <summary>Verified bootstraps per Telegram user: burst 6, 1 every 10 s (a failed <c>initData</c> check does not count).</summary>
    public RateLimitBucketOptions BootstrapPerUser { get; init; } = new() { TokenLimit = 6, TokensPerPeriod = 1, ReplenishmentPeriodSeconds = 10 };

    /// <summary>Whether realtime calling is on, given the Telegram settings.</summary>
    public bool IsEnabled(TelegramOptions telegram)
    {
        ArgumentNullException.ThrowIfNull(telegram);
        return Enabled ?? telegram.IsEnabled;
    }

    /// <summary>The endpoint name of the bridge's calls (its usage scope and daily budget).</summary>
    public string EndpointName => "telegram-" + BridgeId;

    /// <summary>Every problem with these settings, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix, SwitchboardOptions root)
    {
        if (!IsEnabled(root.Telegram))
        {
            yield break;
        }

        if (BridgeId is not { Length: >= 1 and <= 32 } || !BridgeId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-'))
        {
            yield return $"{prefix}:BridgeId must be 1-32 characters of a-z0-9_- (got '{BridgeId}').";
        }

        if (TunnelMode is not ("static-public-url" or "managed-quick-tunnel"))
        {
            yield return $"{prefix}:TunnelMode must be static-public-url or managed-quick-tunnel (got '{TunnelMode}').";
        }
        else if (TunnelMode == "static-public-url")
        {
            // No origin at all is not an error (the token alone turns the channel on): readiness reports it instead.
            var origin = string.IsNullOrWhiteSpace(PublicUrl) ? root.PublicBaseUrl : PublicUrl;
            if (!string.IsNullOrWhiteSpace(origin) && (!Uri.TryCreate(origin, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
            {
                yield return $"{prefix}:PublicUrl must be an absolute http(s) URL (got '{origin}').";
            }
        }
        else if (string.IsNullOrWhiteSpace(TunnelCommand))
        {
            yield return $"{prefix}:TunnelCommand must name the tunnel program in managed-quick-tunnel mode (e.g. cloudflared).";
        }

        if (TunnelPort is < 0 or > 65535)
        {
            yield return $"{prefix}:TunnelPort must be 0 (the gateway's own) to 65535 (got {TunnelPort}).";
        }

        if (!Uri.TryCreate(ControlUrl, UriKind.Absolute, out var control) || control.Scheme is not ("http" or "https"))
        {
            yield return $"{prefix}:ControlUrl must be an absolute http(s) URL (got '{ControlUrl}').";
        }

        if (ControlSecret is { Length: > 0 and < 16 })
        {
            yield return $"{prefix}:ControlSecret must be at least 16 characters (env REALTIME_CONTROL_SECRET).";
        }

        if (MaxCallSeconds is < 10 or > 86_400)
        {
            yield return $"{prefix}:MaxCallSeconds must be 10-86400 (got {MaxCallSeconds}).";
        }

        if (MaxDailyCallSeconds is < 0 or > 86_400)
        {
            yield return $"{prefix}:MaxDailyCallSeconds must be 0 (no budget) to 86400 (got {MaxDailyCallSeconds}).";
        }

        if (IdleWarningSeconds is < 0 or > 3600 || IdleTimeoutSeconds is < 0 or > 3600)
        {
            yield return $"{prefix}:IdleWarningSeconds and IdleTimeoutSeconds must be 0 (off) to 3600 (got {IdleWarningSeconds} and {IdleTimeoutSeconds}).";
        }
        else if (IdleWarningSeconds > 0 && IdleTimeoutSeconds > 0 && IdleWarningSeconds >= IdleTimeoutSeconds)
        {
            yield return $"{prefix}:IdleWarningSeconds must be less than IdleTimeoutSeconds (got {IdleWarningSeconds} and {IdleTimeoutSeconds}).";
        }

        if (AutoDisarmSeconds is < 0 or > 7 * 86_400)
        {
            yield return $"{prefix}:AutoDisarmSeconds must be 0 (never) to 604800 (got {AutoDisarmSeconds}).";
        }

        if (LaunchTokenTtlSeconds is < 10 or > 3600)
        {
            yield return $"{prefix}:LaunchTokenTtlSeconds must be 10-3600 (got {LaunchTokenTtlSeconds}).";
        }

        if (CallTokenTtlSeconds is < 5 or > 600)
        {
            yield return $"{prefix}:CallTokenTtlSeconds must be 5-600 (got {CallTokenTtlSeconds}).";
        }

        foreach (var error in BootstrapPerIp.Validate($"{prefix}:{nameof(BootstrapPerIp)}")
            .Concat(BootstrapPerBridge.Validate($"{prefix}:{nameof(BootstrapPerBridge)}"))
            .Concat(BootstrapPerUser.Validate($"{prefix}:{nameof(BootstrapPerUser)}")))
        {
            yield return error;
        }
    }
}
