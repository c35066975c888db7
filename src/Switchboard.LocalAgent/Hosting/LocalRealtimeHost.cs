using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Configuration;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.LocalAgent.Hosting;

/// <summary>
/// Hosts the local realtime backend on its own Kestrel server, on loopback only, at <c>GET /v1/realtime</c>.
/// The gateway's ordinary OpenAI client connects to <see cref="Url"/> with <see cref="ApiKey"/> as its
/// Bearer key, exactly as it would to OpenAI. The key is random per process, so nothing else on the
/// machine can use the backend without being handed it.
/// </summary>
internal sealed class LocalRealtimeHost : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly LocalBackendOptions _options;
    private readonly int _port;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _sessionLogger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;
    private LocalScenario? _scenario;
    private byte[] _expectedAuthorization = [];
    private Uri? _url;
    private string? _apiKey;
    private int _activeSessions;
    private bool _stopped;

    /// <summary>Creates a host; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Backend options; validated at start.</param>
    /// <param name="port">Loopback port to listen on; 0 picks a free one.</param>
    /// <param name="loggerFactory">Logging for the host and its sessions.</param>
    /// <param name="time">Clock for pacing and expiry; the system clock when null.</param>
    public LocalRealtimeHost(LocalBackendOptions options, int port, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _options = options;
        _port = port;
        _loggerFactory = loggerFactory;
        _time = time ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger<LocalRealtimeHost>();
        _sessionLogger = loggerFactory.CreateLogger<LocalRealtimeSession>();
    }

    /// <summary><c>ws://127.0.0.1:&lt;port&gt;/v1/realtime</c>, once started.</summary>
    public Uri Url => _url ?? throw new InvalidOperationException("The local realtime backend has not been started.");

    /// <summary>The per-process key clients must send as <c>Authorization: Bearer &lt;key&gt;</c>, once started.</summary>
    public string ApiKey => _apiKey ?? throw new InvalidOperationException("The local realtime backend has not been started.");

    /// <summary>Sessions currently connected (for health reporting).</summary>
    public int ActiveSessions => Volatile.Read(ref _activeSessions);

    /// <summary>The loaded scenario in scripted mode; null in echo mode or before start.</summary>
    public LocalScenario? Scenario => _scenario;

    /// <summary>Called with each new session before it runs (tests use it to inspect sessions).</summary>
    public Action<LocalRealtimeSession>? SessionStarted { get; set; }

    /// <summary>Creates a host for standalone use (for example a CLI command running the backend as its own process).</summary>
    public static LocalRealtimeHost Create(LocalBackendOptions options, int port, ILoggerFactory loggerFactory) =>
        new(options, port, loggerFactory);

    /// <summary>
    /// Validates the options, loads the scenario, and starts listening. Throws with every configuration
    /// error at once, or with the scenario's file and JSON path, so a bad set-up fails at start-up.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null)
            {
                return;
            }

            ObjectDisposedException.ThrowIf(_stopped, this);
            var errors = _options.Validate().ToList();
            if (errors.Count > 0)
            {
                throw new InvalidOperationException("Invalid local realtime backend configuration:" + Environment.NewLine + " - " + string.Join(Environment.NewLine + " - ", errors));
            }

            if (_options.Mode == LocalAgentMode.Scripted)
            {
                _scenario = LocalScenario.Load(_options.ScenarioPath!);
                _logger.ScenarioLoaded(_scenario.SourcePath, _scenario.Turns.Count);
            }

            _apiKey = "sk-local-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            _expectedAuthorization = Encoding.UTF8.GetBytes("Bearer " + _apiKey);

            var app = BuildApp();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var port = new Uri(address).Port;
            _url = new Uri($"ws://127.0.0.1:{port}/v1/realtime");
            _app = app;
            _logger.HostStarted(_url, _options.Mode);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops listening: open sessions get a 1001 close frame and a few seconds to finish.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is null || _stopped)
            {
                return;
            }

            _stopped = true;
            await _stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                // Kestrel aborts connections after the shutdown timeout, but waits for their handlers to
                // return; bound the wait so a stuck session cannot hang the gateway's shutdown.
                await _app.StopAsync(cancellationToken).WaitAsync(ShutdownTimeout * 3, cancellationToken).ConfigureAwait(false);
                _logger.HostStopped();
            }
            catch (TimeoutException)
            {
                _logger.StopTimedOut(ActiveSessions);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops (if running) and releases the server.</summary>
    public async ValueTask DisposeAsync()
    {
        // DI disposes this instance once as a singleton and once as the hosted service it also is.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        _lifecycle.Dispose();
    }

    private int _disposed;

    private WebApplication BuildApp()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LocalRealtimeHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        // Isolated from the gateway's settings (URLs, Kestrel endpoints, appsettings): this server listens on
        // loopback at the port it was given and nowhere else.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new EmbeddedLoggerFactory(_loggerFactory));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.MapGet("/v1/realtime", (RequestDelegate)HandleRealtimeAsync);
        return app;
    }

    private async Task HandleRealtimeAsync(HttpContext context)
    {
        if (!IsAuthorized(context.Request.Headers.Authorization.ToString()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "invalid_api_key", "Incorrect API key provided. Use the key the local realtime backend generated at start-up.").ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers.ContainsKey("OpenAI-Beta"))
        {
            await RefuseAsync(
                context,
                StatusCodes.Status400BadRequest,
                "beta_not_supported",
                "The local realtime backend speaks the GA Realtime protocol only. Remove the 'OpenAI-Beta' header: the beta protocol uses different event shapes.").ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "websocket_required", "GET /v1/realtime must be a WebSocket upgrade request.").ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var model = context.Request.Query["model"].ToString();
        Interlocked.Increment(ref _activeSessions);
        try
        {
            using var session = new LocalRealtimeSession(socket, _options, _scenario, _sessionLogger, _time, model);
            SessionStarted?.Invoke(session);
            await session.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _activeSessions);
        }
    }

    private bool IsAuthorized(string authorization)
    {
        // Constant-time over the whole header so response timing says nothing about the key.
        var given = Encoding.UTF8.GetBytes(authorization);
        return CryptographicOperations.FixedTimeEquals(given, _expectedAuthorization);
    }

    private async Task RefuseAsync(HttpContext context, int statusCode, string code, string message)
    {
        _logger.Refused(statusCode, code);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", "invalid_request_error");
            writer.WriteString("code", code);
            writer.WriteNull("param");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
