using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.LoadGen;

/// <summary>
/// The relay under test, started as its own process against the echo backend: the gateway
/// (<c>Switchboard.Cli.dll serve</c>) or, with <c>--peer</c>, the Node.js reference peer. Disposing kills it (and its children); so do Ctrl+C and process exit.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;
    private readonly Queue<string> _lastOutput = new();
    private int _disposed;
    private int _outputLines;

    private GatewayProcess(Process process, Uri baseUrl, string dataDir)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dataDir = dataDir;
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    public Uri BaseUrl { get; }

    public Uri TwilioUrl => new($"ws://{BaseUrl.Authority}/twilio");

    public int Pid => _process.Id;

    /// <summary>The gateway's journal directory (a temporary one, deleted on dispose).</summary>
    public string DataDir => _dataDir;

    /// <summary>Lines the gateway wrote to stdout/stderr so far (it logs warnings and errors only).</summary>
    public int OutputLines => Volatile.Read(ref _outputLines);

    public bool HasExited => _process.HasExited;

    public string LastOutput
    {
        get
        {
            lock (_lastOutput)
            {
                return string.Join(Environment.NewLine, _lastOutput);
            }
        }
    }

    public static Task<GatewayProcess> StartAsync(string dll, EchoBackend backend, IReadOnlyDictionary<string, string> extraEnvironment, CancellationToken token)
    {
        var port = FreePort();
        var dataDir = Path.Combine(Path.GetTempPath(), "switchboard-loadgen-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var info = new ProcessStartInfo("dotnet");
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["SWITCHBOARD_BACKEND"] = "OpenAI";
        info.Environment["SWITCHBOARD_SQLITE_PATH"] = Path.Combine(dataDir, "switchboard.db");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // /diagnostics/runtime: live managed bytes and threads, to attribute memory per call.
        info.Environment["Switchboard__Diagnostics__Enabled"] = "true";
        info.Environment.Remove("TWILIO_AUTH_TOKEN");
        return LaunchAsync(info, port, dataDir, backend, extraEnvironment, token);
    }

    /// <summary>
    /// The Node.js reference peer (<c>bench/peer-node/relay.js</c>), pointed at the echo backend the same way as the
    /// gateway (<c>OPENAI_REALTIME_URL</c>, <c>OPENAI_API_KEY</c>), serving <c>/twilio</c> and <c>/healthz</c>.
    /// </summary>
    public static Task<GatewayProcess> StartNodePeerAsync(string relayScript, EchoBackend backend, IReadOnlyDictionary<string, string> extraEnvironment, CancellationToken token)
    {
        var port = FreePort();
        var dataDir = Path.Combine(Path.GetTempPath(), "switchboard-loadgen-peer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var info = new ProcessStartInfo("node") { WorkingDirectory = Path.GetDirectoryName(relayScript)! };
        info.ArgumentList.Add(relayScript);
        info.Environment["HOST"] = "127.0.0.1";
        info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return LaunchAsync(info, port, dataDir, backend, extraEnvironment, token);
    }

    private static async Task<GatewayProcess> LaunchAsync(ProcessStartInfo info, int port, string dataDir, EchoBackend backend, IReadOnlyDictionary<string, string> extraEnvironment, CancellationToken token)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.Environment["OPENAI_API_KEY"] = backend.ApiKey;
        info.Environment["OPENAI_REALTIME_URL"] = backend.Url.ToString();
        foreach (var (name, value) in extraEnvironment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var gateway = new GatewayProcess(process, new Uri($"http://127.0.0.1:{port}"), dataDir);
        try
        {
            await gateway.WaitHealthyAsync(TimeSpan.FromSeconds(60), token);
        }
        catch
        {
            gateway.Dispose();
            throw;
        }

        return gateway;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken token)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        var health = new Uri(BaseUrl, "/healthz");
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the gateway exited with code {_process.ExitCode}:{Environment.NewLine}{LastOutput}");
            }

            try
            {
                using var response = await http.GetAsync(health, token);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
            {
            }

            await Task.Delay(200, token);
        }

        throw new TimeoutException($"the gateway did not answer {health} within {timeout.TotalSeconds} s:{Environment.NewLine}{LastOutput}");
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        Interlocked.Increment(ref _outputLines);
        lock (_lastOutput)
        {
            // LOADGEN_GATEWAY_LOG=<file>: every line of the relay's output, for a failure the last 40 lines no longer show.
            if (Environment.GetEnvironmentVariable("LOADGEN_GATEWAY_LOG") is { Length: > 0 } log)
            {
                File.AppendAllText(log, line + Environment.NewLine);
            }

            _lastOutput.Enqueue(line);
            while (_lastOutput.Count > 40)
            {
                _lastOutput.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
