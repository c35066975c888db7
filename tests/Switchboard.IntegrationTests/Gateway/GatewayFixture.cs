using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Server;
using Switchboard.Storage;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>A real gateway on Kestrel, loopback, random port, with its own journal directory and the local backend.</summary>
internal sealed class GatewayFixture : IAsyncDisposable
{
    private GatewayFixture(WebApplication app, string baseUrl, string dataDir)
    {
        App = app;
        BaseUrl = baseUrl;
        DataDir = dataDir;
    }

    public WebApplication App { get; }

    /// <summary>http://127.0.0.1:port</summary>
    public string BaseUrl { get; }

    public string DataDir { get; }

    public ICallJournal Journal => App.Services.GetRequiredService<ICallJournal>();

    public IStore Store => App.Services.GetRequiredService<IStore>();

    public CallRegistry Calls => App.Services.GetRequiredService<CallRegistry>();

    public string WebSocketUrl(string path) => "ws" + BaseUrl["http".Length..] + path;

    /// <summary>Starts a gateway with <paramref name="settings"/> over the test defaults; <paramref name="configure"/> may add services (e.g. a log capture).</summary>
    public static async Task<GatewayFixture> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));
        var overrides = new Dictionary<string, string?>
        {
            ["Switchboard:Storage:SqlitePath"] = Path.Combine(dataDir, "switchboard.db"),
            ["Switchboard:Backend:Kind"] = "Local",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var builder = GatewayApp.CreateBuilder(["--urls", "http://127.0.0.1:0"], overrides);
        configure?.Invoke(builder);
        var app = GatewayApp.Build(builder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayFixture(app, address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal), dataDir);
    }

    /// <summary>Events of the only call (or the given one) once it has ended.</summary>
    public async Task<IReadOnlyList<CallEvent>> WaitForEndedCallAsync(string? callId = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            await Journal.FlushAsync(CancellationToken.None);
            var id = callId ?? (await Store.ListCallsAsync(null, 0, 1, CancellationToken.None)).Items.FirstOrDefault()?.Id;
            if (id is not null)
            {
                var events = await Journal.ReadAsync(id, CancellationToken.None);
                if (events.Any(e => e.Type == CallEventType.CallEnded))
                {
                    return events;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("no ended call in the journal");
    }

    /// <summary>Every call's events, keyed by call id.</summary>
    public async Task<Dictionary<string, IReadOnlyList<CallEvent>>> AllCallsAsync()
    {
        await Journal.FlushAsync(CancellationToken.None);
        var result = new Dictionary<string, IReadOnlyList<CallEvent>>();
        foreach (var call in (await Store.ListCallsAsync(null, 0, 100_000, CancellationToken.None)).Items)
        {
            result[call.Id] = await Journal.ReadAsync(call.Id, CancellationToken.None);
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
