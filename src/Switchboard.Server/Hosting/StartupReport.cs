using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Hosting;

/// <summary>Logs once at start-up what the gateway runs with (never the secrets themselves) and warns about unsafe settings.</summary>
internal sealed partial class StartupReport : IHostedService
{
    private readonly SwitchboardOptions _options;
    private readonly ILogger<StartupReport> _logger;

    public StartupReport(IOptions<SwitchboardOptions> options, ILogger<StartupReport> logger)
    {
        _options = options.Value;
        _logger = logger;
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

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = EventIds.StartupAgentBackend, Level = LogLevel.Information, Message = "Agent backend: {Backend} ({Detail})")]
    private static partial void LogBackend(ILogger logger, string backend, string detail);

    [LoggerMessage(EventId = EventIds.StartupTwilioUnsigned, Level = LogLevel.Warning, Message = "TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT verified (development only)")]
    private static partial void LogTwilioUnsigned(ILogger logger);

    [LoggerMessage(EventId = EventIds.StartupTelnyxDisabled, Level = LogLevel.Information, Message = "TELNYX_STREAM_TOKEN is not set: the Telnyx endpoint refuses every stream")]
    private static partial void LogTelnyxDisabled(ILogger logger);
}
