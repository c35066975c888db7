using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;

namespace Switchboard.Telegram;

/// <summary>
/// <c>managed-quick-tunnel</c>: runs the tunnel program (<c>cloudflared tunnel --url http://127.0.0.1:&lt;port&gt;</c> by default),
/// takes the first <c>https://…</c> URL it prints (on either stream) as the <see cref="PublicOrigin"/>, and starts it again when
/// it exits (the origin is unset meanwhile, so readiness says so and no button points at a dead tunnel).
/// </summary>
internal sealed partial class QuickTunnel
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly RealtimeOptions _options;
    private readonly PublicOrigin _origin;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public QuickTunnel(IOptions<SwitchboardOptions> options, PublicOrigin origin, TimeProvider time, ILogger<QuickTunnel> logger)
    {
        _options = options.Value.Realtime;
        _origin = origin;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many times the program has been started.</summary>
    public int Starts { get; private set; }

    /// <summary>Keeps the tunnel running for <paramref name="port"/> until <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(int port, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            int exitCode;
            try
            {
                exitCode = await RunOnceAsync(port, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                TelegramLog.TunnelFailed(_logger, _options.TunnelCommand, ex.Message, (int)backoff.TotalSeconds);
                exitCode = -1;
            }
            finally
            {
                _origin.Set(null);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            // A tunnel that ran a while restarts at once; one that keeps dying waits longer each time.
            backoff = _time.GetElapsedTime(started) > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(1) : backoff;
            TelegramLog.TunnelExited(_logger, exitCode, (int)backoff.TotalSeconds);
            try
            {
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<int> RunOnceAsync(int port, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_options.TunnelCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _options.TunnelArguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            start.ArgumentList.Add(argument.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the tunnel program did not start");
        Starts++;
        try
        {
            var output = WatchAsync(process.StandardOutput);
            var errors = WatchAsync(process.StandardError);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(output, errors).ConfigureAwait(false);
            return process.ExitCode;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private async Task WatchAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (_origin.Current is null && TryFindUrl(line) is { } url)
            {
                _origin.Set(url);
                TelegramLog.TunnelStarted(_logger, url);
            }
        }
    }

    /// <summary>
    /// The tunnel's public URL in a line of its output, or null: a <c>*.trycloudflare.com</c> URL (cloudflared prints it in a box
    /// after a banner that links its documentation), or a line that is nothing but a URL (another tunnel program).
    /// </summary>
    public static string? TryFindUrl(string line)
    {
        line ??= "";
        foreach (Match match in UrlPattern().Matches(line))
        {
            var url = match.Value;
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri)
                && (uri.Host.EndsWith(".trycloudflare.com", StringComparison.OrdinalIgnoreCase) || line.Trim(' ', '\t', '|') == url))
            {
                return url;
            }
        }

        return null;
    }

    [GeneratedRegex(@"https?://[A-Za-z0-9][A-Za-z0-9.-]*(:\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();
}
