using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Hosting;

/// <summary>Logs once at start-up what the gateway runs with (never the secrets themselves) and warns about unsafe settings.</summary>
internal sealed partial class StartupReport : IHostedService
{
    private readonly SwitchboardOptions _options;
    private readonly ILogger<StartupReport> _logger;
    private readonly IServer _server;
    private readonly IHostApplicationLifetime _lifetime;

    public StartupReport(IOptions<SwitchboardOptions> options, ILogger<StartupReport> logger, IServer server, IHostApplicationLifetime lifetime)
    {
        _options = options.Value;
        _logger = logger;
        _server = server;
        _lifetime = lifetime;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var backend = EffectiveBackend.Resolve(_options);
        var detail = backend switch
        {
            BackendKind.OpenAI => $"{_options.OpenAI.RealtimeUrl} model {_options.OpenAI.Model}",
            BackendKind.Azure => $"{_options.Azure.Endpoint} deployment {_options.Azure.Deployment}",
            _ => $"local test agent ({_options.Local.Mode}) - no account needed; it echoes the caller, it does not understand speech",
        };
        LogBackend(_logger, backend.ToString(), detail);
        if (string.IsNullOrEmpty(_options.Twilio.AuthToken))
        {
            LogTwilioUnsigned(_logger);
        }

        if (string.IsNullOrEmpty(_options.Telnyx.StreamToken))
        {
            LogTelnyxDisabled(_logger);
        }

        if (_options.Sip.InsecureSkipSignature)
        {
            LogSipInsecure(_logger);
        }
        else if (string.IsNullOrEmpty(_options.Sip.WebhookSecret))
        {
            LogSipDisabled(_logger);
        }

        // Once Kestrel listens, say where to point a browser (the talk page) in words a first-time user can act on.
        _lifetime.ApplicationStarted.Register(() =>
        {
            if (BrowserUrl(_server.Features.Get<IServerAddressesFeature>()?.Addresses) is { } url)
            {
                LogReady(_logger, url, url + "docs/api");
                var publicBase = (string.IsNullOrWhiteSpace(_options.PublicBaseUrl) ? url : _options.PublicBaseUrl).TrimEnd('/');
                LogCarrierQuickStart(_logger, _options.PrimaryCarrier, QuickStart(_options.PrimaryCarrier, publicBase));
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>Where the primary carrier (<c>VOICE_CARRIER_PRIMARY</c>) is pointed at this gateway, in the carrier's own words.</summary>
    internal static string QuickStart(string carrier, string publicBase) => carrier == "telnyx"
        ? $"start streaming with stream_url {"ws" + publicBase["http".Length..]}/telnyx?token=<TELNYX_STREAM_TOKEN> (stream_bidirectional_mode rtp)"
        : $"set the number's Voice webhook to POST {publicBase}/twilio/twiml";

    /// <summary>The first address a local browser can open: a wildcard host becomes <c>localhost</c>.</summary>
    internal static string? BrowserUrl(IEnumerable<string>? addresses)
    {
        var first = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? addresses?.FirstOrDefault();
        if (first is null || !Uri.TryCreate(first.Replace("://+", "://localhost").Replace("://*", "://localhost"), UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.Host is "0.0.0.0" or "::" or "[::]" ? "localhost" : uri.Host;
        return new UriBuilder(uri.Scheme, host, uri.Port).Uri.ToString();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = EventIds.StartupReady, Level = LogLevel.Information, Message = "Switchboard is ready: open {Url} in a browser and press Talk (API reference: {ApiUrl})")]
    private static partial void LogReady(ILogger logger, string url, string apiUrl);

    [LoggerMessage(EventId = EventIds.StartupCarrierQuickStart, Level = LogLevel.Information, Message = "Phone calls ({Carrier}): {Instructions}")]
    private static partial void LogCarrierQuickStart(ILogger logger, string carrier, string instructions);

    [LoggerMessage(EventId = EventIds.StartupAgentBackend, Level = LogLevel.Information, Message = "Agent backend: {Backend} ({Detail})")]
    private static partial void LogBackend(ILogger logger, string backend, string detail);

    [LoggerMessage(EventId = EventIds.StartupSipInsecure, Level = LogLevel.Warning, Message = "SIP connector webhooks are taken WITHOUT signature checks (Switchboard:Sip:InsecureSkipSignature / TEST_MODE): development only, loopback only")]
    private static partial void LogSipInsecure(ILogger logger);

    [LoggerMessage(EventId = EventIds.StartupSipDisabled, Level = LogLevel.Information, Message = "OPENAI_WEBHOOK_SECRET is not set: SIP connector calls (/openai/webhook) are refused")]
    private static partial void LogSipDisabled(ILogger logger);

    [LoggerMessage(EventId = EventIds.StartupTwilioUnsigned, Level = LogLevel.Warning, Message = "TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT verified (development only)")]
    private static partial void LogTwilioUnsigned(ILogger logger);

    [LoggerMessage(EventId = EventIds.StartupTelnyxDisabled, Level = LogLevel.Information, Message = "TELNYX_STREAM_TOKEN is not set: the Telnyx endpoint refuses every stream")]
    private static partial void LogTelnyxDisabled(ILogger logger);
}
