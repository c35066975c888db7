namespace Switchboard.Server.Hosting;

/// <summary>
/// The conventional environment variables (<c>OPENAI_API_KEY</c>, <c>TWILIO_AUTH_TOKEN</c>, …) mapped onto
/// configuration keys, so deployments can use the names every vendor documents. They override appsettings.json;
/// the long form (<c>Switchboard__OpenAI__ApiKey</c>) works too.
/// </summary>
internal static class EnvironmentAliases
{
    public static readonly IReadOnlyDictionary<string, string> Map = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["OPENAI_API_KEY"] = "Switchboard:OpenAI:ApiKey",
        ["OPENAI_REALTIME_URL"] = "Switchboard:OpenAI:RealtimeUrl",
        ["OPENAI_REALTIME_MODEL"] = "Switchboard:OpenAI:Model",
        ["OPENAI_VOICE"] = "Switchboard:Agent:Voice",
        ["OPENAI_WEBHOOK_SECRET"] = "Switchboard:Sip:WebhookSecret",
        ["OPENAI_BASE_URL"] = "Switchboard:Sip:ApiBaseUrl",
        ["AZURE_OPENAI_ENDPOINT"] = "Switchboard:Azure:Endpoint",
        ["AZURE_OPENAI_API_KEY"] = "Switchboard:Azure:ApiKey",
        ["AZURE_OPENAI_DEPLOYMENT"] = "Switchboard:Azure:Deployment",
        ["TWILIO_AUTH_TOKEN"] = "Switchboard:Twilio:AuthToken",
        ["TWILIO_ACCOUNT_SID"] = "Switchboard:Twilio:AccountSid",
        ["TELNYX_STREAM_TOKEN"] = "Switchboard:Telnyx:StreamToken",
        ["TELNYX_API_KEY"] = "Switchboard:Telnyx:ApiKey",
        ["SWITCHBOARD_PUBLIC_URL"] = "Switchboard:PublicBaseUrl",
        ["SWITCHBOARD_BACKEND"] = "Switchboard:Backend:Kind",
        ["SWITCHBOARD_LOCAL_MODE"] = "Switchboard:Local:Mode",
        ["SWITCHBOARD_LOCAL_SCENARIO"] = "Switchboard:Local:ScenarioPath",
        ["SWITCHBOARD_STORAGE"] = "Switchboard:Storage:Provider",
        ["SWITCHBOARD_SQLITE_PATH"] = "Switchboard:Storage:SqlitePath",
        ["SWITCHBOARD_POSTGRES"] = "Switchboard:Storage:PostgresConnectionString",
        ["SWITCHBOARD_REDIS"] = "Switchboard:Redis:Configuration",
        ["SWITCHBOARD_SESSION_KEY"] = "Switchboard:Sessions:SigningKey",
        ["TELEGRAM_BOT_TOKEN"] = "Switchboard:Telegram:BotToken",
        ["TELEGRAM_ALLOWED_USER_IDS"] = "Switchboard:Telegram:AllowedUserIds",
        ["TELEGRAM_ALLOWED_CHAT_IDS"] = "Switchboard:Telegram:AllowedChatIds",
        ["TELEGRAM_API_BASE_URL"] = "Switchboard:Telegram:ApiBaseUrl",
        ["REALTIME_CONTROL_SECRET"] = "Switchboard:Realtime:ControlSecret",
        ["VOICE_CARRIER_PRIMARY"] = "Switchboard:PrimaryCarrier",
        ["SUPABASE_VOICE_HANDOFF_URL"] = "Switchboard:Handoff:Url",
        ["SUPABASE_VOICE_HANDOFF_TOKEN"] = "Switchboard:Handoff:Token",
        // The server-to-server key of multi-tenant voice servers' main app: tools and remote config name it "internal".
        ["INTERNAL_API_KEY"] = "Switchboard:Tools:Secrets:internal",
    };

    /// <summary>
    /// Names other voice servers use for the same settings (docs/migrating.md), read only when the variable of
    /// <see cref="Map"/> for that key is not set: <c>VOICE_GATEWAY_TOKEN</c> is a Telnyx-fronted gateway's stream token.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Alternates = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["VOICE_GATEWAY_TOKEN"] = "Switchboard:Telnyx:StreamToken",
    };

    /// <summary><c>TEST_MODE=1</c> (or <c>true</c>): the SIP connector's insecure local mode, <c>Switchboard:Sip:InsecureSkipSignature=true</c>.</summary>
    public const string TestModeVariable = "TEST_MODE";

    public static IEnumerable<KeyValuePair<string, string?>> Read() => Read(Environment.GetEnvironmentVariable);

    /// <summary>The configuration the variables give, read through <paramref name="variable"/> (tests pass their own).</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> Read(Func<string, string?> variable)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, key) in Map.Concat(Alternates))
        {
            var value = variable(name);
            if (!string.IsNullOrEmpty(value) && set.Add(key))
            {
                yield return new(key, value);
            }
        }

        if (variable(TestModeVariable) is "1" or "true" or "TRUE" or "True")
        {
            yield return new("Switchboard:Sip:InsecureSkipSignature", "true");
        }
    }
}
