using Switchboard.IntegrationTests.Gateway;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace Switchboard.IntegrationTests.Drain;

/// <summary>
/// A real gateway process (<c>dotnet Switchboard.Cli.dll serve</c>, the build copied next to these tests) on a free loopback
/// port, with the local backend, its own SQLite file and no keys: what an operator runs, so signals reach the real host.
/// Disposing kills it if it is still running and deletes its directory.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    // Variables of the developer's shell that would change the backend, the database or the configuration.
    private static readonly string[] Scrubbed =
    [
        "OPENAI_API_KEY", "OPENAI_REALTIME_URL", "OPENAI_REALTIME_MODEL", "OPENAI_VOICE", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_DEPLOYMENT", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "TELNYX_STREAM_TOKEN", "TELNYX_API_KEY", "ASPNETCORE_URLS",
    ];

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly bool _ownsDataDir;

    private GatewayProcess(Process process, string baseUrl, string dataDir, bool ownsDataDir)
    {
        _process = process;
        _ownsDataDir = ownsDataDir;
        BaseUrl = baseUrl;
        DataDir = dataDir;
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>http://127.0.0.1:port</summary>
    public string BaseUrl { get; }

    public string DataDir { get; }

    public string DatabasePath => Path.Combine(DataDir, "switchboard.db");

    public int Pid => _process.Id;

    public string WebSocketUrl(string path) => "ws" + BaseUrl["http".Length..] + path;

    /// <summary>The last lines the gateway wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>
    /// Waits until the gateway has written <paramref name="text"/>, and fails after <paramref name="timeout"/>. A log line comes
    /// through the logger's queue and a pipe, so it can arrive after the effect a test has already seen (a closed call, a
    /// 202): a test that checks for it waits, rather than reading <see cref="Output"/> once.
    /// </summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"the gateway did not write \"{text}\" within {timeout.TotalSeconds:0} s:{Environment.NewLine}{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Starts the gateway with <paramref name="settings"/> as environment variables and waits until its health answers 200.
    /// With <paramref name="dataDir"/> (an earlier process's <see cref="DataDir"/>) it runs on that directory and database, as
    /// a restart does, and leaves the directory to its owner.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null, string? dataDir = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Switchboard.Cli.dll");
        var ownsDataDir = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "switchboard-tests", "drain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var port = TestPorts.Unused();
        var baseUrl = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseUrl);
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (Scrubbed.Contains(name, StringComparer.Ordinal) || name.StartsWith("SWITCHBOARD_", StringComparison.Ordinal) || name.StartsWith("Switchboard__", StringComparison.Ordinal))
            {
                info.Environment.Remove(name);
            }
        }

        info.Environment["SWITCHBOARD_BACKEND"] = "Local";
        info.Environment["SWITCHBOARD_STORAGE"] = "sqlite";
        info.Environment["SWITCHBOARD_SQLITE_PATH"] = Path.Combine(dataDir, "switchboard.db");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // The drain's own steps, for a failure's post-mortem.
        info.Environment["Logging__LogLevel__Switchboard.Server.Hosting"] = "Information";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the gateway");
        var gateway = new GatewayProcess(process, baseUrl, dataDir, ownsDataDir);
        try
        {
            await gateway.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    /// <summary>Sends a signal (<c>TERM</c>, <c>INT</c>, <c>QUIT</c>) with kill(1): <see cref="Process.Kill()"/> only sends SIGKILL.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not run kill");
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {Pid} failed: {await kill.StandardError.ReadToEndAsync()}");
    }

    /// <summary>Waits for the process to exit; returns its exit code, or fails naming what the gateway wrote.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"the gateway did not exit within {timeout.TotalSeconds} s:{Environment.NewLine}{Output}", ex);
        }

        // The asynchronous readers may still hold the last lines; WaitForExit() without a timeout drains them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The <c>calls</c> rows once the gateway has exited: id, channel, end reason, refused.</summary>
    public List<(string Id, string Channel, string? EndReason, bool Refused)> ReadCalls()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, channel, end_reason, refused FROM calls ORDER BY started_at";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, string?, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3) != 0));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
        }

        _process.Dispose();
        if (!_ownsDataDir)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the gateway exited with code {_process.ExitCode}:{Environment.NewLine}{Output}");
            }

            try
            {
                using var response = await http.GetAsync(BaseUrl + "/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the gateway did not answer /healthz with 200 within {timeout.TotalSeconds} s:{Environment.NewLine}{Output}");
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }

}
