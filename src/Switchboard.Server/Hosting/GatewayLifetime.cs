using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The host's lifetime in place of ASP.NET Core's <c>ConsoleLifetime</c>, which stops at once on the first signal. Here the
/// first SIGTERM or SIGINT (Ctrl+C) begins a graceful drain (<see cref="DrainCoordinator"/>): new calls are refused, running
/// calls finish or get a goodbye, then the process exits with code 0; with no live call that is immediate. A second
/// SIGTERM or SIGINT, or a SIGQUIT (Ctrl+\), stops at once: every live call is hung up with 1001 <c>gateway_shutdown</c>.
/// Keeps ConsoleLifetime's start-up lines, under the same logger category.
/// </summary>
internal sealed partial class GatewayLifetime : IHostLifetime, IDisposable
{
    /// <summary>ConsoleLifetime's category, so existing log filters keep applying to these lines.</summary>
    private const string Category = "Microsoft.Hosting.Lifetime";

    private readonly IServiceProvider _services;
    private readonly IOptions<SwitchboardOptions> _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IHostEnvironment _environment;
    private readonly ILogger _logger;
    private readonly List<PosixSignalRegistration> _signals = [];
    private CancellationTokenRegistration _started;
    private CancellationTokenRegistration _stopping;
    private int _terminations;

    /// <remarks>
    /// The host builds its lifetime with the app, before start-up has checked storage; the coordinator (and the journal and
    /// store behind it) is looked up when a signal comes, so nothing here opens the database early.
    /// </remarks>
    public GatewayLifetime(IServiceProvider services, IOptions<SwitchboardOptions> options, IHostApplicationLifetime lifetime, IHostEnvironment environment,
        ILoggerFactory loggers)
    {
        _services = services;
        _options = options;
        _lifetime = lifetime;
        _environment = environment;
        _logger = loggers.CreateLogger(Category);
    }

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _started = _lifetime.ApplicationStarted.Register(() =>
        {
            LogStarted(_logger, _options.Value.Drain.TimeoutSeconds);
            LogEnvironment(_logger, _environment.EnvironmentName, _environment.ContentRootPath);
        });
        _stopping = _lifetime.ApplicationStopping.Register(() => LogStopping(_logger));
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT])
        {
            try
            {
                _signals.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // A platform without this signal: the host stops when the process ends.
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _signals)
        {
            registration.Dispose();
        }

        _signals.Clear();
        _started.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Runs on the runtime's signal thread: decide, hand over, return (the drain itself runs elsewhere).</summary>
    private void OnSignal(PosixSignalContext context)
    {
        // The process never dies of these signals; it stops through the host, which exits with code 0.
        context.Cancel = true;
        var name = context.Signal.ToString();
        var drain = _services.GetRequiredService<DrainCoordinator>();
        // Counted, not "already draining": after POST /api/v1/admin/drain, the orchestrator's SIGTERM must not cut calls.
        if (context.Signal != PosixSignal.SIGQUIT && Interlocked.Increment(ref _terminations) == 1)
        {
            drain.Begin(name);
            return;
        }

        drain.StopNow(context.Signal == PosixSignal.SIGQUIT ? name : "second " + name);
    }

    [LoggerMessage(EventId = EventIds.HostStarted, Level = LogLevel.Information,
        Message = "Application started. Press Ctrl+C to shut down: calls in progress may finish first (up to {DrainSeconds} s); press it again to stop at once.")]
    private static partial void LogStarted(ILogger logger, int drainSeconds);

    [LoggerMessage(EventId = EventIds.HostEnvironment, Level = LogLevel.Information, Message = "Hosting environment: {EnvironmentName}; content root path: {ContentRoot}")]
    private static partial void LogEnvironment(ILogger logger, string environmentName, string contentRoot);

    [LoggerMessage(EventId = EventIds.HostStopping, Level = LogLevel.Information, Message = "Application is shutting down...")]
    private static partial void LogStopping(ILogger logger);
}
