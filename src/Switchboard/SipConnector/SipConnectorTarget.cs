using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;

namespace Switchboard.SipConnector;

/// <summary>
/// Where a SIP connector call is controlled: the provider's REST base (<c>{base}/realtime/calls/{call_id}/…</c>), its
/// sideband WebSocket (<c>…/realtime?call_id=…</c>), the credential header both take, and the default model. OpenAI: REST
/// at <c>Sip:ApiBaseUrl</c>, sideband at <c>OpenAI:RealtimeUrl</c>, <c>Authorization: Bearer</c>. Azure: both on the resource
/// under <c>/openai/v1</c>, header <c>api-key</c>, the deployment as the model, no <c>api-version</c>.
/// </summary>
internal sealed record SipConnectorTarget(string Provider, Uri RestBase, string SidebandUrl, KeyValuePair<string, string>? Credential, string DefaultModel)
{
    /// <summary>
    /// The insecure local mode may run without a key (against <c>switchboard simulate --sip</c>): requests then go out
    /// without a credential instead of not at all.
    /// </summary>
    public bool SendWithoutCredential { get; init; }

    public static SipConnectorTarget From(SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var provider = options.Sip.EffectiveProvider(options);
        if (provider == "azure" && Uri.TryCreate(options.Azure.Endpoint?.TrimEnd('/'), UriKind.Absolute, out var resource))
        {
            var scheme = resource.Scheme == "http" ? "ws" : "wss";
            return new SipConnectorTarget("azure", new Uri($"{resource.Scheme}://{resource.Authority}/openai/v1/"),
                $"{scheme}://{resource.Authority}/openai/v1/realtime",
                string.IsNullOrEmpty(options.Azure.ApiKey) ? null : new("api-key", options.Azure.ApiKey),
                options.Azure.Deployment ?? "")
            { SendWithoutCredential = options.Sip.InsecureSkipSignature };
        }

        return new SipConnectorTarget("openai", new Uri(options.Sip.ApiBaseUrl.TrimEnd('/') + "/"), options.OpenAI.RealtimeUrl,
            string.IsNullOrEmpty(options.OpenAI.ApiKey) ? null : new("Authorization", "Bearer " + options.OpenAI.ApiKey),
            options.OpenAI.Model)
        { SendWithoutCredential = options.Sip.InsecureSkipSignature };
    }

    /// <summary>The REST URL of <paramref name="action"/> (<c>accept</c>, <c>reject</c>, <c>refer</c>, <c>hangup</c>) on a call.</summary>
    public Uri CallUrl(string callId, string action) => new(RestBase, $"realtime/calls/{Uri.EscapeDataString(callId)}/{action}");

    /// <summary>The call's sideband: the realtime WebSocket with <c>?call_id=</c> and no model (the accept fixed it).</summary>
    public RealtimeEndpoint Sideband(string callId, string model)
    {
        var separator = SidebandUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var url = new Uri($"{SidebandUrl}{separator}call_id={Uri.EscapeDataString(callId)}");
        IReadOnlyList<KeyValuePair<string, string>> headers = Credential is { } credential ? [credential] : [];
        return new RealtimeEndpoint(url, headers, Provider) { Model = model };
    }
}
