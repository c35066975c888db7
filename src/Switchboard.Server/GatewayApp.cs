using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Switchboard.Server.Hosting;
using Switchboard.Transport;

namespace Switchboard.Server;

/// <summary>Builds and runs the Switchboard gateway host.</summary>
public static class GatewayApp
{
    /// <summary>Default listen address when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> says otherwise.</summary>
    public const string DefaultUrl = "http://localhost:5050";

    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>How long the host waits, once stopping, for requests (live WebSockets) and services to finish.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates the builder: appsettings.json, environment (including the vendor-style aliases) and command-line configuration.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Optional operator file (--config path or SWITCHBOARD_CONFIG), then vendor-style env names, then the command line.
        var configFile = builder.Configuration["config"] ?? Environment.GetEnvironmentVariable(GatewayConfiguration.ConfigFileVariable);
        GatewayConfiguration.AddOperatorSources(builder.Configuration, configFile);
        builder.Configuration.AddCommandLine(args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        var defaultUrl = string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]);
        if (defaultUrl)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Unsigned SIP webhooks (the insecure local mode) only on a gateway nobody else can reach.
        LoopbackOnly.CheckConfigured(builder.Configuration, defaultUrl);

        // Media sockets on the gateway's own per-core epoll loops (Linux); Kestrel's socket transport stays for the rest.
        var eventLoop = builder.Configuration.GetValue("Switchboard:Performance:EventLoop", defaultValue: true) && EventLoop.IsSupported;
        EventLoop.Enabled = eventLoop;
        EventLoop.Threads = Math.Clamp(builder.Configuration.GetValue("Switchboard:Performance:EventLoopThreads", 0), 0, 64);
        EventLoop.CoalesceMicroseconds = Math.Clamp(builder.Configuration.GetValue("Switchboard:Performance:EventLoopCoalesceMicroseconds", 0), 0, 5000);
        if (eventLoop)
        {
            builder.Services.AddSingleton<LoopTransport>();
            builder.Services.AddSingleton<IConnectionListenerFactory>(services => services.GetRequiredService<LoopTransport>());
        }

        var inlineIo = builder.Configuration.GetValue("Switchboard:Performance:InlineIo", defaultValue: false);
        var waitForData = builder.Configuration.GetValue("Switchboard:Performance:WaitForDataBeforeAllocatingBuffer", defaultValue: true);
        var ioQueues = builder.Configuration.GetValue<int?>("Switchboard:Performance:IoQueueCount");
        builder.WebHost.UseSockets(sockets =>
        {
            // Opt-in: saves the thread-pool hops of every audio message at some tail latency (docs/performance.md).
            sockets.UnsafePreferInlineScheduling = inlineIo;
            sockets.WaitForDataBeforeAllocatingBuffer = waitForData;
            // Out-of-range values fail options validation at start-up (PerformanceOptions.Validate).
            if (ioQueues is >= 0 and <= 64)
            {
                sockets.IOQueueCount = ioQueues.Value;
            }
        });
        if (inlineIo)
        {
            // The runtime reads this once, at its first socket; for the gateway process that is still ahead.
            if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
            {
                Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
            }
        }

        builder.Services.AddSwitchboard(builder.Configuration);
        builder.Services.AddProblemDetails();
        // Signals drain instead of stopping at once (registered after the default ConsoleLifetime, so this one is used).
        builder.Services.AddSingleton<IHostLifetime, GatewayLifetime>();
        // Once the application stops, calls are gone (drained) or hung up (1001) and finish writing their ends; give
        // that, and a summary the backend is still writing, time before the host gives up on them.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        return builder;
    }

    /// <summary>Builds the app with every route mapped.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();

        // Every error is application/problem+json: unhandled exceptions (500, no internals) and bodiless
        // statuses such as an unknown route (404) or a wrong method (405).
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSocketsClosingGracefully(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        // After routing (which WebApplication runs first), so each route's per-address bucket is known; before the
        // endpoint, so a refused WebSocket upgrade is answered 429 and never accepted. Health, the talk page's files
        // and the OpenAPI document have no bucket (docs/configuration.md, "Rate limits").
        app.UseRateLimiter();

        // Kestrel waits for open WebSockets on shutdown; tell every caller leg why it ends instead of cutting it off.
        // After a drain no call is left; this is the immediate stop (a second signal, the host stopped another way).
        var calls = app.Services.GetRequiredService<Switchboard.Calls.CallRegistry>();
        app.Lifetime.ApplicationStopping.Register(() => calls.HangUpAllAsync("gateway shutting down").Wait(TimeSpan.FromSeconds(3)));
        app.MapSwitchboard();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // The addresses actually bound (Kestrel endpoints from any source): the insecure SIP mode stops a gateway listening beyond loopback.
            var options = app.Services.GetRequiredService<IOptions<Switchboard.Configuration.SwitchboardOptions>>().Value;
            var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            if (options.Sip.InsecureSkipSignature && !LoopbackOnly.AllLoopback(addresses))
            {
                LoopbackOnly.LogNotLoopback(app.Logger, string.Join(", ", addresses));
                app.Lifetime.StopApplication();
            }
        });
        return app;
    }

    /// <summary>Why the configured database cannot be used, naming it (a SQLite path, never a connection string); null when it can.</summary>
    private static async Task<string?> StorageProblemAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var storage = services.GetRequiredService<IOptions<Switchboard.Configuration.SwitchboardOptions>>().Value.Storage;
        var where = storage.Provider == "sqlite" ? $"the SQLite database at '{Path.GetFullPath(storage.SqlitePath)}'" : "the PostgreSQL database";
        try
        {
            // Migrating is what start-up does first anyway (idempotent); it also proves the database can be written.
            var store = services.GetRequiredService<Switchboard.Storage.IStore>();
            await store.MigrateAsync(cancellationToken);
            var health = await store.PingAsync(cancellationToken);
            return health.Ok ? null : $"{where} is unavailable: {health.Detail}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException or InvalidOperationException or ArgumentException
            or TimeoutException or System.Net.Sockets.SocketException)
        {
            return $"{where} cannot be opened: {ex.Message}";
        }
    }

    /// <summary>Runs the gateway until shutdown is requested. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        WebApplication app;
        try
        {
            app = Build(CreateBuilder(args));
            // Open the database before the host starts: one it cannot open is one clear line and exit code 3, not the
            // host's "failed to start" stack trace.
            if (await StorageProblemAsync(app.Services, cancellationToken) is { } problem)
            {
                await Console.Error.WriteLineAsync("Switchboard cannot start: " + problem);
                await app.DisposeAsync();
                return 3;
            }

            await app.StartAsync(cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("Switchboard cannot start; fix the configuration:");
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  - " + failure);
            }

            return 2;
        }

        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }
}
