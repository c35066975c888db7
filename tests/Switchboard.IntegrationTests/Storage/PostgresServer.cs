using Switchboard.IntegrationTests.Gateway;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>
/// A throwaway PostgreSQL for the test run. With <c>SWITCHBOARD_TEST_POSTGRES</c> set (an Npgsql connection
/// string to a server where the user may CREATE DATABASE) it uses that server; otherwise it runs its own
/// cluster: <c>initdb</c> into a temporary directory, <c>pg_ctl start</c> on a free loopback port with trust
/// authentication, the unix socket inside the directory. initdb and postgres refuse to run as root, so as root
/// both run as the <c>postgres</c> system user. Every test gets its own database (<see cref="CreateDatabaseAsync"/>).
/// PostgreSQL missing is a failure with the fix in the message, never a skip.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The environment variable naming an existing server to use instead of a private cluster.</summary>
    public const string EnvironmentVariable = "SWITCHBOARD_TEST_POSTGRES";

    private const string SystemUser = "postgres";
    private string? _clusterDir;
    private string? _binDir;
    private bool _asPostgresUser;

    /// <summary>Connection string to the maintenance database (<c>postgres</c>) as a user that may create databases.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var builder = new NpgsqlConnectionStringBuilder(external) { Pooling = false };
            builder.Database ??= "postgres";
            AdminConnectionString = builder.ConnectionString;
            try
            {
                await using var probe = new NpgsqlConnection(AdminConnectionString);
                await probe.OpenAsync();
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException($"{EnvironmentVariable} is set, but PostgreSQL at {builder.Host}:{builder.Port} could not be reached: {ex.Message}", ex);
            }

            return;
        }

        _binDir = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is required by the storage tests but its server binaries (initdb, pg_ctl) were not found in " +
            "/usr/lib/postgresql/<version>/bin or on PATH. Install it (Debian/Ubuntu: apt-get install postgresql; " +
            $".ci/run does this) or set {EnvironmentVariable} to the connection string of a server where the user may CREATE DATABASE.");
        _asPostgresUser = Environment.IsPrivilegedProcess;
        if (_asPostgresUser && !File.Exists("/usr/sbin/runuser") && !File.Exists("/usr/bin/runuser") && !File.Exists("/sbin/runuser"))
        {
            throw new InvalidOperationException("running as root: PostgreSQL must run as the 'postgres' user, which needs runuser (util-linux)");
        }

        // As root the cluster directory is created by the postgres user itself, in world-writable /tmp, so it owns it.
        var parent = _asPostgresUser ? "/tmp" : Path.GetTempPath();
        _clusterDir = Path.Combine(parent, "switchboard-pg-" + Guid.NewGuid().ToString("N")[..12]);
        if (_asPostgresUser)
        {
            await RunAsync("mkdir", ["-m", "700", _clusterDir], TimeSpan.FromSeconds(10));
        }
        else
        {
            Directory.CreateDirectory(_clusterDir);
        }

        // From here on a failed start still leaves something to clean up at exit.
        ProcessExitGuard.Register(this);
        var data = Path.Combine(_clusterDir, "data");
        await RunAsync(Tool("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], TimeSpan.FromSeconds(120));

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = TestPorts.Unused();
            // A test cluster: durability settings off for speed (the crash-durability claims are the production server's).
            var serverOptions = string.Join(' ',
                $"-p {port}", $"-k '{_clusterDir}'", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off",
                "-c full_page_writes=off", "-c max_connections=200", "-c shared_buffers=32MB");
            try
            {
                await RunAsync(Tool("pg_ctl"), ["start", "-w", "-t", "60", "-D", data, "-l", Path.Combine(_clusterDir, "server.log"), "-o", serverOptions], TimeSpan.FromSeconds(90));
                AdminConnectionString = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = "postgres",
                    Database = "postgres",
                    Pooling = false,
                    Timeout = 10,
                }.ConnectionString;
                return;
            }
            catch (InvalidOperationException ex)
            {
                // Most likely the port was taken between probing and binding: try another.
                last = ex;
            }
        }

        throw new InvalidOperationException($"PostgreSQL did not start: {last?.Message} (log: {Path.Combine(_clusterDir, "server.log")})", last);
    }

    /// <summary>A new, empty database; dispose it to drop it.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        var name = "sb_test_" + Guid.NewGuid().ToString("N");
        await ExecuteAdminAsync($"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
        return new PostgresDatabase(this, name, connectionString);
    }

    /// <summary>Runs one statement on the maintenance database (CREATE/DROP/ALTER DATABASE, pg_terminate_backend).</summary>
    public async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        ProcessExitGuard.Unregister(this);
        await Task.Run(Stop);
    }

    /// <summary>Stops the private cluster and deletes its directory (idempotent; also runs at process exit).</summary>
    internal void Stop()
    {
        var dir = Interlocked.Exchange(ref _clusterDir, null);
        if (dir is null)
        {
            return;
        }

        try
        {
            RunAsync(Tool("pg_ctl"), ["stop", "-m", "immediate", "-w", "-D", Path.Combine(dir, "data")], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped: nothing to do but delete the directory.
        }

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string Tool(string name) => Path.Combine(_binDir!, name);

    /// <summary>Debian's versioned directory (newest first), then PATH (e.g. /usr/local/bin symlinks).</summary>
    private static string? FindBinaries()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        candidates.Add("/usr/local/bin");
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }


    /// <summary>Runs a tool (as the postgres user when we are root); a non-zero exit throws with its output.</summary>
    private async Task RunAsync(string program, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (_asPostgresUser)
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", SystemUser, "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // Run from a directory the postgres user can read (initdb complains about an inaccessible cwd).
        start.WorkingDirectory = "/";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within {timeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}");
        }
    }

    /// <summary>Stops clusters whose fixture was never disposed (an aborted run) when the test process exits.</summary>
    private static class ProcessExitGuard
    {
        private static readonly HashSet<PostgresServer> Running = [];

        static ProcessExitGuard() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            PostgresServer[] servers;
            lock (Running)
            {
                servers = [.. Running];
                Running.Clear();
            }

            foreach (var server in servers)
            {
                server.Stop();
            }
        };

        public static void Register(PostgresServer server)
        {
            lock (Running)
            {
                Running.Add(server);
            }
        }

        public static void Unregister(PostgresServer server)
        {
            lock (Running)
            {
                Running.Remove(server);
            }
        }
    }
}
