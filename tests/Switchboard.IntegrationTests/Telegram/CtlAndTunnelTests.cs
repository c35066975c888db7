using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Cli;
using Switchboard.Telegram;

namespace Switchboard.IntegrationTests.Telegram;

/// <summary><c>switchboard ctl</c> against a running gateway, and the managed quick tunnel with a stand-in tunnel program.</summary>
public sealed class CtlAndTunnelTests
{
    private static Task<CliRun> CtlAsync(TelegramGateway tg, string? secret, params string[] args) =>
        CliRun.InvokeAsync(secret is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["REALTIME_CONTROL_SECRET"] = secret },
            ["ctl", .. args, "--url", tg.Gateway.BaseUrl]);

    [Fact]
    public async Task Ctl_ArmStatusCapabilitiesHangupDisarm_AgainstARunningGateway()
    {
        await using var tg = await TelegramGateway.StartAsync();

        var arm = await CtlAsync(tg, TelegramGateway.Secret, "call", "arm");
        Assert.True(arm.ExitCode == 0, arm.ToString());
        Assert.Contains("armed       yes", arm.Out, StringComparison.Ordinal);
        Assert.True(tg.Surface.IsArmed);

        var status = await CtlAsync(tg, TelegramGateway.Secret, "call", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("thread      (none bound)", status.Out, StringComparison.Ordinal);
        Assert.Contains("✓ armed", status.Out, StringComparison.Ordinal);
        Assert.Contains("✗ thread_bound", status.Out, StringComparison.Ordinal);

        var capabilities = await CtlAsync(tg, TelegramGateway.Secret, "capabilities");
        Assert.True(capabilities.ExitCode == 1, capabilities.ToString());
        Assert.Contains("Not ready to call.", capabilities.Out, StringComparison.Ordinal);
        Assert.Contains("✗ control_connected", capabilities.Out, StringComparison.Ordinal);

        var json = await CtlAsync(tg, TelegramGateway.Secret, "capabilities", "--json");
        Assert.Contains("\"name\": \"public_origin\"", json.Out, StringComparison.Ordinal);

        var gateway = await CtlAsync(tg, TelegramGateway.Secret, "status");
        Assert.True(gateway.ExitCode == 0, gateway.ToString());
        Assert.Contains("realtime    enabled", gateway.Out, StringComparison.Ordinal);
        Assert.Contains("bot         @switchboard_test_bot, polling", gateway.Out, StringComparison.Ordinal);

        var hangup = await CtlAsync(tg, TelegramGateway.Secret, "call", "hangup");
        Assert.Equal("No call is live.", hangup.Out.Trim());

        var disarm = await CtlAsync(tg, TelegramGateway.Secret, "call", "disarm");
        Assert.Contains("armed       no", disarm.Out, StringComparison.Ordinal);
        Assert.False(tg.Surface.IsArmed);
    }

    [Fact]
    public async Task Ctl_WrongMissingSecretOrNoGateway_FailWithTheirExitCodes()
    {
        await using var tg = await TelegramGateway.StartAsync();

        var wrong = await CtlAsync(tg, "not-the-secret-0123456789", "call", "arm");
        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        Assert.Contains("REALTIME_CONTROL_SECRET", wrong.Error, StringComparison.Ordinal);
        Assert.False(tg.Surface.IsArmed);

        var missing = await CtlAsync(tg, null, "call", "arm");
        Assert.True(missing.ExitCode == 2, missing.ToString());

        var unreachable = await CliRun.InvokeAsync(new Dictionary<string, string> { ["REALTIME_CONTROL_SECRET"] = TelegramGateway.Secret }, "ctl", "status", "--url", "http://127.0.0.1:9");
        Assert.True(unreachable.ExitCode == 3, unreachable.ToString());
    }

    [Fact]
    public async Task ManagedQuickTunnel_UsesThePrintedUrl_AndRestartsTheProgramWhenItExits()
    {
        var dir = Directory.CreateTempSubdirectory("switchboard-tunnel-");
        var script = Path.Combine(dir.FullName, "tunnel.sh");
        var counter = Path.Combine(dir.FullName, "starts");
        // A stand-in for cloudflared: a banner with a documentation link, then the URL alone on a line (here the gateway's
        // own address, so the origin is reachable); the first run dies after a moment, the second stays up.
        await File.WriteAllTextAsync(script, """
            n=$(cat "$2" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$2"
            echo "Thank you for trying the tunnel, see https://docs.example.com/tunnels for more" >&2
            echo "http://127.0.0.1:$1"
            if [ $n -lt 2 ]; then sleep 1; exit 7; fi
            exec sleep 300
            """.Replace("\r", "", StringComparison.Ordinal));
        try
        {
            await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?>
            {
                ["Switchboard:Realtime:TunnelMode"] = "managed-quick-tunnel",
                ["Switchboard:Realtime:TunnelCommand"] = "/bin/sh",
                ["Switchboard:Realtime:TunnelArguments"] = script + " {port} " + counter,
                ["Switchboard:Realtime:PublicUrl"] = null,
            });
            var tunnel = tg.Gateway.App.Services.GetRequiredService<QuickTunnel>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(tunnel.Starts >= 2 && tg.Origin.Current is not null) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(tunnel.Starts >= 2, $"the tunnel was started {tunnel.Starts} time(s)");
            Assert.Equal(tg.Gateway.BaseUrl, tg.Origin.Current);
            var capabilities = await CtlAsync(tg, TelegramGateway.Secret, "capabilities", "--json");
            Assert.Contains($"{tg.Gateway.BaseUrl}/healthz answers", capabilities.Out, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
