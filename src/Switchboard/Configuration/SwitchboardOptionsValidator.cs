using Microsoft.Extensions.Options;

namespace Switchboard.Configuration;

/// <summary>
/// Checks the whole configuration at start-up and reports every bad key at once, each message naming
/// the key and how to fix it, so an operator fixes a deployment in one pass.
/// </summary>
internal sealed partial class SwitchboardOptionsValidator : IValidateOptions<SwitchboardOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        var errors = Collect(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static IEnumerable<string> Collect(SwitchboardOptions o)
    {
        const string p = SwitchboardOptions.SectionName;
        if (!string.IsNullOrWhiteSpace(o.PublicBaseUrl)
            && (!Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var pub) || pub.Scheme is not ("http" or "https")))
        {
            yield return $"{p}:PublicBaseUrl must be an absolute http(s) URL such as https://gw.example.com (got '{o.PublicBaseUrl}').";
        }

        if (o.PrimaryCarrier is not ("twilio" or "telnyx"))
        {
            yield return $"{p}:PrimaryCarrier (VOICE_CARRIER_PRIMARY) must be twilio or telnyx (got '{o.PrimaryCarrier}').";
        }

        foreach (var error in CollectStorage(o))
        {
            yield return error;
        }

        if (o.Twilio.RefuseWith is not ("say" or "reject"))
        {
            yield return $"{p}:Twilio:RefuseWith must be say or reject (got '{o.Twilio.RefuseWith}').";
        }

        if (string.IsNullOrWhiteSpace(o.Twilio.BusyMessage) || o.Twilio.BusyMessage.Length > 500)
        {
            yield return $"{p}:Twilio:BusyMessage must be 1 to 500 characters.";
        }

        foreach (var error in o.Limits.Validate($"{p}:Limits").Concat(o.Drain.Validate($"{p}:Drain")).Concat(o.Node.Validate($"{p}:Node")).Concat(o.Redis.Validate($"{p}:Redis")))
        {
            yield return error;
        }

        foreach (var error in o.Sip.Validate($"{p}:Sip", o))
        {
            yield return error;
        }

        foreach (var error in o.Telegram.Validate($"{p}:Telegram").Concat(o.Realtime.Validate($"{p}:Realtime", o)))
        {
            yield return error;
        }

        foreach (var error in o.Webhooks.Validate($"{p}:Webhooks").Concat(o.Network.Validate($"{p}:Network")).Concat(o.Handoff.Validate($"{p}:Handoff")))
        {
            yield return error;
        }

        foreach (var error in o.Performance.Validate($"{p}:Performance"))
        {
            yield return error;
        }

        foreach (var error in o.Metrics.Validate($"{p}:Metrics"))
        {
            yield return error;
        }

        foreach (var error in o.RateLimits.Validate($"{p}:RateLimits"))
        {
            yield return error;
        }

        foreach (var error in o.Artifacts.Validate($"{p}:Artifacts").Concat(ModelPriceOptions.Validate(o.Pricing, $"{p}:Pricing")))
        {
            yield return error;
        }

        var kind = o.Backend.Kind;
        if (kind == BackendKind.OpenAI && string.IsNullOrWhiteSpace(o.OpenAI.ApiKey))
        {
            yield return $"{p}:OpenAI:ApiKey is required when {p}:Backend:Kind is OpenAI (set OPENAI_API_KEY).";
        }

        if (!Uri.TryCreate(o.OpenAI.RealtimeUrl, UriKind.Absolute, out var rt) || rt.Scheme is not ("ws" or "wss"))
        {
            yield return $"{p}:OpenAI:RealtimeUrl must be a ws:// or wss:// URL (got '{o.OpenAI.RealtimeUrl}'; env OPENAI_REALTIME_URL).";
        }

        if (string.IsNullOrWhiteSpace(o.OpenAI.Model))
        {
            yield return $"{p}:OpenAI:Model must not be empty (e.g. gpt-realtime).";
        }

        if (kind == BackendKind.Azure)
        {
            if (string.IsNullOrWhiteSpace(o.Azure.Endpoint) || !Uri.TryCreate(o.Azure.Endpoint, UriKind.Absolute, out _))
            {
                yield return $"{p}:Azure:Endpoint must be the resource URL, e.g. https://my-resource.openai.azure.com (env AZURE_OPENAI_ENDPOINT).";
            }

            if (string.IsNullOrWhiteSpace(o.Azure.ApiKey))
            {
                yield return $"{p}:Azure:ApiKey is required when {p}:Backend:Kind is Azure (env AZURE_OPENAI_API_KEY).";
            }

            if (string.IsNullOrWhiteSpace(o.Azure.Deployment))
            {
                yield return $"{p}:Azure:Deployment is required when {p}:Backend:Kind is Azure (env AZURE_OPENAI_DEPLOYMENT).";
            }
        }

        if (o.Backend.ConnectTimeoutSeconds is < 1 or > 120)
        {
            yield return $"{p}:Backend:ConnectTimeoutSeconds must be between 1 and 120 (got {o.Backend.ConnectTimeoutSeconds}).";
        }

        var be = o.Backend;
        if (double.IsNaN(be.ReconnectBudgetSeconds) || be.ReconnectBudgetSeconds is < 0 or > 120)
        {
            yield return $"{p}:Backend:ReconnectBudgetSeconds must be between 0 (off) and 120 (got {be.ReconnectBudgetSeconds}).";
        }

        if (be.ReconnectInitialBackoffMs is < 10 or > 10_000)
        {
            yield return $"{p}:Backend:ReconnectInitialBackoffMs must be between 10 and 10000 (got {be.ReconnectInitialBackoffMs}).";
        }

        if (be.ReconnectMaxBackoffMs < be.ReconnectInitialBackoffMs || be.ReconnectMaxBackoffMs > 60_000)
        {
            yield return $"{p}:Backend:ReconnectMaxBackoffMs must be between ReconnectInitialBackoffMs and 60000 (got {be.ReconnectMaxBackoffMs}).";
        }

        if (be.MaxReconnectsPerCall is < 1 or > 1000)
        {
            yield return $"{p}:Backend:MaxReconnectsPerCall must be between 1 and 1000 (got {be.MaxReconnectsPerCall}).";
        }

        if (be.KeepAliveSeconds is < 1 or > 120)
        {
            yield return $"{p}:Backend:KeepAliveSeconds must be between 1 and 120 (got {be.KeepAliveSeconds}).";
        }

        if (be.KeepAliveTimeoutSeconds is < 1 or > 120)
        {
            yield return $"{p}:Backend:KeepAliveTimeoutSeconds must be between 1 and 120 (got {be.KeepAliveTimeoutSeconds}).";
        }

        if (double.IsNaN(be.SessionMaxAgeMinutes) || be.SessionMaxAgeMinutes is < 0 or > 24 * 60 || be.SessionMaxAgeMinutes is > 0 and < 1)
        {
            yield return $"{p}:Backend:SessionMaxAgeMinutes must be 0 (never) or between 1 and 1440 (got {be.SessionMaxAgeMinutes}).";
        }

        foreach (var error in o.Local.Validate())
        {
            yield return error;
        }

        var a = o.Agent;
        if (a.AudioFormat is not ("auto" or "pcmu" or "pcma" or "pcm24"))
        {
            yield return $"{p}:Agent:AudioFormat must be auto, pcmu, pcma or pcm24 (got '{a.AudioFormat}').";
        }

        if (a.TurnDetection is not ("server_vad" or "semantic_vad" or "none"))
        {
            yield return $"{p}:Agent:TurnDetection must be server_vad, semantic_vad or none (got '{a.TurnDetection}').";
        }

        if (a.VadThreshold is < 0 or > 1)
        {
            yield return $"{p}:Agent:VadThreshold must be between 0 and 1 (got {a.VadThreshold}).";
        }

        if (a.PrefixPaddingMs is < 0 or > 5000)
        {
            yield return $"{p}:Agent:PrefixPaddingMs must be between 0 and 5000 (got {a.PrefixPaddingMs}).";
        }

        if (a.SilenceDurationMs is < 100 or > 10000)
        {
            yield return $"{p}:Agent:SilenceDurationMs must be between 100 and 10000 (got {a.SilenceDurationMs}).";
        }

        if (string.IsNullOrWhiteSpace(a.Voice))
        {
            yield return $"{p}:Agent:Voice must not be empty (e.g. marin).";
        }
        else if (EffectiveBackend.Resolve(o) != BackendKind.Local && !RealtimeVoices.IsKnown(a.Voice))
        {
            yield return $"{p}:Agent:Voice (OPENAI_VOICE) '{a.Voice}' is not a realtime voice; use one of {string.Join(", ", RealtimeVoices.Known)}.";
        }

        foreach (var (key, url) in new[] { ("Twilio:ApiBaseUrl", o.Twilio.ApiBaseUrl), ("Telnyx:ApiBaseUrl", o.Telnyx.ApiBaseUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(api.UserInfo))
            {
                yield return $"{p}:{key} must be an absolute http(s) URL without credentials (got '{url}').";
            }
        }

        if (!string.IsNullOrEmpty(o.Twilio.AccountSid) && !TwilioAccountSid().IsMatch(o.Twilio.AccountSid))
        {
            yield return $"{p}:Twilio:AccountSid must be AC followed by 32 hex digits (env TWILIO_ACCOUNT_SID).";
        }

        if (!string.IsNullOrEmpty(o.Twilio.AccountSid) && string.IsNullOrEmpty(o.Twilio.AuthToken))
        {
            yield return $"{p}:Twilio:AccountSid is set but {p}:Twilio:AuthToken is not: the REST API needs both (env TWILIO_AUTH_TOKEN).";
        }

        var b = o.Bridge;
        if (b.FirstChunkMs is < 10 or > 1000)
        {
            yield return $"{p}:Bridge:FirstChunkMs must be between 10 and 1000 (got {b.FirstChunkMs}).";
        }

        if (b.MarkIntervalMs is < 20 or > 5000 || b.MarkIntervalMs < b.FirstChunkMs)
        {
            yield return $"{p}:Bridge:MarkIntervalMs must be between 20 and 5000 and at least FirstChunkMs (got {b.MarkIntervalMs}).";
        }

        if (b.MaxCarrierMessageBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return $"{p}:Bridge:MaxCarrierMessageBytes must be between 1024 and 16777216 (got {b.MaxCarrierMessageBytes}).";
        }

        if (b.MaxBackendMessageBytes is < 64 * 1024 or > 64 * 1024 * 1024)
        {
            yield return $"{p}:Bridge:MaxBackendMessageBytes must be between 65536 and 67108864 (got {b.MaxBackendMessageBytes}).";
        }

        if (b.StartTimeoutSeconds is < 1 or > 300)
        {
            yield return $"{p}:Bridge:StartTimeoutSeconds must be between 1 and 300 (got {b.StartTimeoutSeconds}).";
        }

        if (b.MediaTimeoutSeconds is < 0 or > 600)
        {
            yield return $"{p}:Bridge:MediaTimeoutSeconds must be 0 (off) to 600 (got {b.MediaTimeoutSeconds}).";
        }

        if (b.MaxCallSeconds < 0)
        {
            yield return $"{p}:Bridge:MaxCallSeconds must be 0 (unlimited) or positive (got {b.MaxCallSeconds}).";
        }

        if (b.UnknownCarrierEvents is not ("ignore" or "close"))
        {
            yield return $"{p}:Bridge:UnknownCarrierEvents must be ignore or close (got '{b.UnknownCarrierEvents}').";
        }
    }

    /// <summary>The control-plane part of <see cref="Collect"/> (storage and sessions), which the admin CLI checks before opening the database.</summary>
    internal static IEnumerable<string> CollectStorage(SwitchboardOptions o)
    {
        const string p = SwitchboardOptions.SectionName;
        if (o.Storage.Provider is not ("sqlite" or "postgres"))
        {
            yield return $"{p}:Storage:Provider must be sqlite or postgres (got '{o.Storage.Provider}'; env SWITCHBOARD_STORAGE).";
        }
        else if (o.Storage.Provider == "postgres" && string.IsNullOrWhiteSpace(o.Storage.PostgresConnectionString))
        {
            yield return $"{p}:Storage:PostgresConnectionString is required when the provider is postgres, e.g. Host=localhost;Database=switchboard;Username=sb;Password=… (env SWITCHBOARD_POSTGRES).";
        }
        else if (o.Storage.Provider == "postgres" && PostgresConnectionProblem(o.Storage.PostgresConnectionString!) is { } problem)
        {
            yield return $"{p}:Storage:PostgresConnectionString {problem} (env SWITCHBOARD_POSTGRES).";
        }
        else if (o.Storage.Provider == "sqlite" && string.IsNullOrWhiteSpace(o.Storage.SqlitePath))
        {
            yield return $"{p}:Storage:SqlitePath must name the database file, e.g. data/switchboard.db.";
        }

        if (o.Sessions.TokenTtlSeconds is < 10 or > 3600)
        {
            yield return $"{p}:Sessions:TokenTtlSeconds must be 10-3600 (got {o.Sessions.TokenTtlSeconds}).";
        }

        if (o.Sessions.MaxMessageBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return $"{p}:Sessions:MaxMessageBytes must be 1024-16777216 (got {o.Sessions.MaxMessageBytes}).";
        }

        if (o.Sessions.ActionTimeoutSeconds is < 1 or > 120)
        {
            yield return $"{p}:Sessions:ActionTimeoutSeconds must be 1-120 (got {o.Sessions.ActionTimeoutSeconds}).";
        }

        if (o.Sessions.InterruptReplyTimeoutMs is < 50 or > 5000)
        {
            yield return $"{p}:Sessions:InterruptReplyTimeoutMs must be 50-5000 (got {o.Sessions.InterruptReplyTimeoutMs}).";
        }

        if (!string.IsNullOrEmpty(o.Sessions.SigningKey))
        {
            var bytes = new byte[o.Sessions.SigningKey.Length];
            if (!Convert.TryFromBase64String(o.Sessions.SigningKey, bytes, out var length) || length < 32)
            {
                yield return $"{p}:Sessions:SigningKey must be base64 of at least 32 random bytes (e.g. openssl rand -base64 32; env SWITCHBOARD_SESSION_KEY).";
            }
        }

        var webRtc = o.Sessions.WebRtc;
        if (!string.IsNullOrEmpty(webRtc.GatewayUrl) && (!Uri.TryCreate(webRtc.GatewayUrl, UriKind.Absolute, out var gateway)
            || gateway.Scheme is not ("https" or "wss") || !string.IsNullOrEmpty(gateway.UserInfo)))
        {
            yield return $"{p}:Sessions:WebRtc:GatewayUrl must be an absolute https:// or wss:// URL without credentials (got '{webRtc.GatewayUrl}').";
        }

        if (!string.IsNullOrEmpty(webRtc.TelproDomain) && Uri.CheckHostName(webRtc.TelproDomain) != UriHostNameType.Dns)
        {
            yield return $"{p}:Sessions:WebRtc:TelproDomain must be a DNS host name such as sip.example.com (got '{webRtc.TelproDomain}').";
        }
    }

    /// <summary>Why Npgsql would refuse the connection string at start-up; the message never repeats the string (it may hold a password).</summary>
    private static string? PostgresConnectionProblem(string connectionString)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? "must name the server, e.g. Host=localhost;Database=switchboard;Username=sb;Password=…" : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or InvalidCastException)
        {
            return $"is not a valid Npgsql connection string ({ex.Message})";
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial System.Text.RegularExpressions.Regex TwilioAccountSid();
}
