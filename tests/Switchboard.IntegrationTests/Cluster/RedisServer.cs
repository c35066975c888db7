using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// A throwaway <c>redis-server</c> on loopback, on a port from <see cref="TestPorts.Unused"/>, without persistence, in a
/// temporary directory. <see cref="StopAsync"/> and <see cref="StartAsync"/> take it down and bring it back on the same port
/// (an outage). redis-server missing is a failure with the fix in the message, never a skip.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _binary;
    private readonly string _dir;
    private Process? _process;

    private RedisServer(string binary, int port)
    {
        _binary = binary;
        Port = port;
        _dir = Path.Combine(Path.GetTempPath(), "switchboard-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for it.</summary>
    public string Configuration => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    /// <summary>Starts a new server (Debian's redis-server from PATH or /usr/bin).</summary>
    public static async Task<RedisServer> StartNewAsync()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "redis-server")))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
                "redis-server is required by the cluster tests but was not found on PATH or in /usr/bin. Install it (Debian/Ubuntu: apt-get install redis-server; .ci/run does this).");
        var server = new RedisServer(binary, TestPorts.Unused());
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it answers.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(_binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var arg in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir, "--daemonize", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port} (exited: {_process.HasExited})", ex);
            }
        }
    }

    /// <summary>Kills the server (an outage: no goodbye to its clients).</summary>
    public async Task StopAsync()
    {
        var process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
