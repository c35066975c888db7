using System.Net;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The guard of the SIP connector's insecure local mode (<c>Switchboard:Sip:InsecureSkipSignature</c>, <c>TEST_MODE=1</c>):
/// unsigned webhooks are only taken by a gateway that listens on loopback addresses, so nobody else can post a fake call.
/// Checked twice: on the configured URLs before the server starts, and on the addresses it actually bound once it has.
/// </summary>
internal static partial class LoopbackOnly
{
    public const string InsecureKey = "Switchboard:Sip:InsecureSkipSignature";

    /// <summary>Throws (exit code 2 under <see cref="GatewayApp.RunAsync"/>) when insecure mode is on and a configured URL is not loopback.</summary>
    public static void CheckConfigured(IConfiguration configuration, bool defaultUrlUsed)
    {
        if (!configuration.GetValue(InsecureKey, defaultValue: false))
        {
            return;
        }

        var urls = new List<string>();
        foreach (var key in new[] { "urls", "ASPNETCORE_URLS" })
        {
            urls.AddRange((configuration[key] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        if (defaultUrlUsed)
        {
            urls.Add(GatewayApp.DefaultUrl);
        }

        var open = urls.Where(u => !IsLoopback(u)).ToList();
        if (open.Count > 0 || configuration["http_ports"] is { Length: > 0 } || configuration["https_ports"] is { Length: > 0 })
        {
            throw Refusal(open.Count > 0 ? string.Join(", ", open) : "http_ports/https_ports (all addresses)");
        }
    }

    /// <summary>Whether every address the server bound is loopback.</summary>
    public static bool AllLoopback(IEnumerable<string> addresses) => addresses.All(IsLoopback);

    /// <summary>Whether a listen URL names only loopback: <c>localhost</c>, <c>127.x.x.x</c> or <c>[::1]</c> (never <c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>).</summary>
    public static bool IsLoopback(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd >= 0 ? url[(schemeEnd + 3)..] : url;
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        string host;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            host = close > 0 ? authority[1..close] : authority;
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon >= 0 ? authority[..colon] : authority;
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    public static OptionsValidationException Refusal(string where) => new(SwitchboardOptions.SectionName, typeof(SwitchboardOptions),
    [
        $"{InsecureKey} (TEST_MODE) takes unsigned SIP webhooks, so the gateway must listen on loopback only (localhost, 127.0.0.1, [::1]); " +
        $"it would listen on {where}. Use --urls http://127.0.0.1:5050, or set OPENAI_WEBHOOK_SECRET and turn the insecure mode off.",
    ]);

    [LoggerMessage(EventId = EventIds.StartupSipNotLoopback, Level = LogLevel.Critical,
        Message = "Stopping: the insecure SIP mode (TEST_MODE) needs loopback-only listening, but the gateway listens on {Addresses}")]
    public static partial void LogNotLoopback(ILogger logger, string addresses);
}
