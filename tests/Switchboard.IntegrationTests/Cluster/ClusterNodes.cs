using Switchboard.IntegrationTests.Drain;
using Switchboard.IntegrationTests.Storage;
using Switchboard.Storage.Postgres;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// A real cluster for multi-node tests: one throwaway redis-server, one PostgreSQL database and several gateway processes
/// (<see cref="GatewayProcess"/>, the local backend, no keys) sharing both, named <c>node-a</c>, <c>node-b</c>, … The
/// first node creates the schema and the default team before the others start. <see cref="Store"/> reads and writes the
/// shared database directly (teams, keys, webhook subscriptions, call rows).
/// </summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    private readonly GatewayProcess?[] _nodes;
    private readonly Dictionary<string, string> _settings;

    private ClusterNodes(RedisServer redis, PostgresDatabase database, Dictionary<string, string> settings, int count)
    {
        Redis = redis;
        Database = database;
        Store = new PostgresStore(database.ConnectionString);
        _settings = settings;
        _nodes = new GatewayProcess?[count];
    }

    public RedisServer Redis { get; }

    public PostgresDatabase Database { get; }

    /// <summary>The shared database, as the nodes see it.</summary>
    public PostgresStore Store { get; }

    /// <summary>The default team every node serves keyless demo calls for.</summary>
    public Guid DefaultTeamId { get; private set; }

    public int Count => _nodes.Length;

    /// <summary>Node <paramref name="index"/> (0 = node-a); fails if it was killed and not restarted.</summary>
    public GatewayProcess this[int index] => _nodes[index] ?? throw new InvalidOperationException($"{NodeId(index)} is not running");

    /// <summary>The <c>Switchboard:Node:Id</c> of node <paramref name="index"/>.</summary>
    public static string NodeId(int index) => "node-" + (char)('a' + index);

    /// <summary>
    /// Starts Redis and <paramref name="count"/> nodes on a new database of <paramref name="postgres"/>. <paramref name="settings"/>
    /// (environment variables, e.g. <c>Switchboard__Redis__SlotLeaseSeconds</c>) apply to every node.
    /// </summary>
    public static async Task<ClusterNodes> StartAsync(PostgresServer postgres, int count = 3, IReadOnlyDictionary<string, string>? settings = null)
    {
        var redis = await RedisServer.StartNewAsync();
        PostgresDatabase? database = null;
        ClusterNodes? cluster = null;
        try
        {
            database = await postgres.CreateDatabaseAsync();
            var all = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["SWITCHBOARD_STORAGE"] = "postgres",
                ["SWITCHBOARD_POSTGRES"] = database.ConnectionString,
                ["SWITCHBOARD_REDIS"] = redis.Configuration,
                ["Switchboard__Tools__AllowPrivateNetworks"] = "true",
                ["Switchboard__Webhooks__PollIntervalSeconds"] = "0.2",
                ["Logging__LogLevel__Switchboard.Calls"] = "Information",
                ["Logging__LogLevel__Switchboard.Cluster"] = "Information",
            };
            foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            {
                all[name] = value;
            }

            cluster = new ClusterNodes(redis, database, all, count);
            // The first node migrates the schema and creates the default team; the rest then start side by side.
            await cluster.StartNodeAsync(0);
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(cluster.StartNodeAsync));
            var team = await cluster.Store.GetSettingAsync("default_team_id", CancellationToken.None)
                ?? throw new InvalidOperationException("the first node did not create the default team");
            cluster.DefaultTeamId = Guid.Parse(team);
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            else
            {
                if (database is not null)
                {
                    await database.DisposeAsync();
                }

                await redis.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Starts node <paramref name="index"/> (again, on the same node id) and waits until it is healthy.</summary>
    public async Task StartNodeAsync(int index)
    {
        if (_nodes[index] is not null)
        {
            throw new InvalidOperationException($"{NodeId(index)} is already running");
        }

        var settings = new Dictionary<string, string>(_settings, StringComparer.Ordinal) { ["Switchboard__Node__Id"] = NodeId(index) };
        _nodes[index] = await GatewayProcess.StartAsync(settings);
    }

    /// <summary>Kills node <paramref name="index"/> with SIGKILL (no drain, no goodbye, no lease released) and waits for it to exit.</summary>
    public async Task KillAsync(int index)
    {
        var node = this[index];
        await node.SignalAsync("KILL");
        await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await node.DisposeAsync();
        _nodes[index] = null;
    }

    /// <summary>Every running node's recent output, for a failure message.</summary>
    public string Output => string.Join(Environment.NewLine + Environment.NewLine,
        _nodes.Select((n, i) => n is null ? $"[{NodeId(i)}: not running]" : $"[{NodeId(i)}]{Environment.NewLine}{n.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        await Store.DisposeAsync();
        await Database.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
