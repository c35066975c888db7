namespace Switchboard.Configuration;

/// <summary>
/// Phone calls through the OpenAI (or Azure OpenAI) Realtime SIP connector (section <c>Switchboard:Sip</c>; env
/// <c>OPENAI_WEBHOOK_SECRET</c>, <c>OPENAI_BASE_URL</c>, <c>TEST_MODE</c>). The carrier sends the call to the connector's SIP
/// address, the connector posts a signed <c>realtime.call.incoming</c> webhook to <c>/openai/webhook</c>, and the gateway
/// accepts (or rejects) it and steers it over the call's sideband WebSocket. See docs/sip.md.
/// </summary>
public sealed record SipOptions
{
    /// <summary>Where the REST calls go by default (<c>accept</c>, <c>reject</c>, <c>refer</c>, <c>hangup</c>).</summary>
    public const string DefaultApiBaseUrl = "https://api.openai.com/v1";

    /// <summary>
    /// The webhook endpoint's signing secret (<c>whsec_…</c>, or a raw secret used as its UTF-8 bytes), from the OpenAI
    /// dashboard or Azure's <c>webhook_endpoints</c> response. Without it (and without <see cref="InsecureSkipSignature"/>)
    /// every webhook is refused. Never logged.
    /// </summary>
    public string? WebhookSecret { get; init; }

    /// <summary>
    /// Whose connector sends the calls: <c>openai</c> (REST at <see cref="ApiBaseUrl"/>, sideband at <c>OpenAI:RealtimeUrl</c>,
    /// Bearer <c>OpenAI:ApiKey</c>), <c>azure</c> (REST and sideband on <c>Azure:Endpoint</c> under <c>/openai/v1</c>, header
    /// <c>api-key</c>, model = deployment), or <c>auto</c> (default): Azure when an Azure endpoint and key are set and no
    /// OpenAI key is.
    /// </summary>
    public string Provider { get; init; } = "auto";

    /// <summary>OpenAI's REST base URL, as the OpenAI SDKs take it (<c>OPENAI_BASE_URL</c>; default <c>https://api.openai.com/v1</c>).</summary>
    public string ApiBaseUrl { get; init; } = DefaultApiBaseUrl;

    /// <summary>
    /// Development only: webhooks are taken without a signature check. The gateway then refuses to start unless it listens
    /// on loopback addresses only, and warns at start and on every call. <c>TEST_MODE=1</c> sets it.
    /// </summary>
    public bool InsecureSkipSignature { get; init; }

    /// <summary>The largest webhook body read, in bytes (default 65536); a larger one is refused with 413.</summary>
    public int MaxWebhookBytes { get; init; } = 64 * 1024;

    /// <summary>How long a webhook id (and its call id) is remembered to refuse redeliveries, in hours (default 72).</summary>
    public int DeduplicationHours { get; init; } = 72;

    /// <summary>Every problem with these settings, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix, SwitchboardOptions root)
    {
        if (Provider is not ("auto" or "openai" or "azure"))
        {
            yield return $"{prefix}:Provider must be auto, openai or azure (got '{Provider}').";
        }

        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
        {
            yield return $"{prefix}:ApiBaseUrl must be an absolute http(s) URL such as {DefaultApiBaseUrl} (got '{ApiBaseUrl}'; env OPENAI_BASE_URL).";
        }

        if (WebhookSecret is { Length: > 0 } secret && secret.StartsWith("whsec_", StringComparison.Ordinal)
            && (secret.Length == "whsec_".Length || !Convert.TryFromBase64String(secret["whsec_".Length..], new byte[secret.Length], out _)))
        {
            yield return $"{prefix}:WebhookSecret starts with whsec_ but what follows is not base64; paste the secret exactly as shown (env OPENAI_WEBHOOK_SECRET).";
        }

        if (MaxWebhookBytes is < 1024 or > 4 * 1024 * 1024)
        {
            yield return $"{prefix}:MaxWebhookBytes must be 1024-4194304 (got {MaxWebhookBytes}).";
        }

        if (DeduplicationHours is < 1 or > 24 * 30)
        {
            yield return $"{prefix}:DeduplicationHours must be 1-720 (got {DeduplicationHours}).";
        }

        // Calls can only be taken with credentials for the connector's REST API and sideband (the insecure local mode may
        // run without, against the simulator).
        if (!string.IsNullOrEmpty(WebhookSecret) && !InsecureSkipSignature)
        {
            var provider = EffectiveProvider(root);
            if (provider == "openai" && string.IsNullOrWhiteSpace(root.OpenAI.ApiKey))
            {
                yield return $"{prefix} takes OpenAI SIP calls but Switchboard:OpenAI:ApiKey is empty (set OPENAI_API_KEY, or {prefix}:Provider=azure with the Azure settings).";
            }

            if (provider == "azure" && (string.IsNullOrWhiteSpace(root.Azure.ApiKey) || !Uri.TryCreate(root.Azure.Endpoint, UriKind.Absolute, out _)))
            {
                yield return $"{prefix} takes Azure SIP calls but Switchboard:Azure:Endpoint or ApiKey is missing (AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY).";
            }
        }
    }

    /// <summary><c>openai</c> or <c>azure</c>: <see cref="Provider"/>, with <c>auto</c> resolved from which credentials are set.</summary>
    public string EffectiveProvider(SwitchboardOptions root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Provider switch
        {
            "openai" or "azure" => Provider,
            _ when string.IsNullOrWhiteSpace(root.OpenAI.ApiKey) && !string.IsNullOrWhiteSpace(root.Azure.Endpoint) && !string.IsNullOrWhiteSpace(root.Azure.ApiKey) => "azure",
            _ => "openai",
        };
    }
}
