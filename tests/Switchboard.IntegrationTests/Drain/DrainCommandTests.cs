using Switchboard.Control;
using Switchboard.IntegrationTests.Cli;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Drain;

/// <summary>
/// <c>switchboard drain [--wait]</c> against an in-process gateway: the orchestrator's pre-stop hook. With <c>--wait</c> it
/// returns only after the last live call has ended, so the SIGTERM that follows finds nothing to cut.
/// </summary>
public class DrainCommandTests
{
    [Fact]
    public async Task DrainWait_LiveSession_ReturnsOnlyOnceTheCallHasEnded()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Drain:TimeoutSeconds"] = "120" });
        var admin = await SessionApi.CreateKeyAsync(gateway, ApiScopes.Admin);
        var session = await SessionApi.CreateSessionAsync(gateway, admin);
        var client = await SessionTestClient.ConnectAsync(session.WsUrl);
        await client.WaitForTypeAsync("status", m => m.GetProperty("payload").GetProperty("state").GetString() == "connected");

        var drain = CliRun.InvokeAsync(null, "drain", "--wait", "--server", gateway.BaseUrl, "--api-key", admin);

        // The node drains at once, but the command keeps waiting while the session is live.
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        await WaitUntilAsync(async () =>
        {
            using var health = await http.GetAsync("/healthz");
            return health.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable;
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(drain.IsCompleted, drain.IsCompleted ? (await drain).ToString() : "");

        await client.DisposeAsync();
        var run = await drain.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Draining since", run.Out, StringComparison.Ordinal);
        Assert.Contains("1 live call(s) may go on for up to 120 s", run.Out, StringComparison.Ordinal);
        Assert.Matches("No live call is left|The node has exited", run.Out);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal("client_closed", events[^1].Reason);
    }

    [Fact]
    public async Task Drain_WithoutServer_IsAUsageError()
    {
        var run = await CliRun.InvokeAsync(null, "drain");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--server", run.Error, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 15 s");
            await Task.Delay(50);
        }
    }
}
