using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Cli.Simulation;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Drain;

/// <summary>
/// Graceful drain on a real gateway process with live calls (a Twilio media stream and a browser session): SIGTERM stops
/// admission at once (health 503 <c>draining</c>, new streams 1013, new sessions 4429), running calls go on until the
/// drain's timeout, then each hears a goodbye and ends <c>shutdown</c>, and the process exits 0 with every call journalled.
/// A second SIGTERM stops at once (1001 <c>gateway_shutdown</c>).
/// </summary>
public class DrainProcessTests
{
    private const int DrainSeconds = 3;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sigterm_LiveCalls_AdmissionStopsEachCallHearsItsGoodbyeAfterTheTimeoutAndTheProcessExitsZero()
    {
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>
        {
            ["Switchboard__Drain__TimeoutSeconds"] = DrainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Switchboard__Limits__GoodbyeSeconds"] = "5",
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var liveSessionUrl = await CreateDemoSessionAsync(http, gateway);
        var lateSessionUrl = await CreateDemoSessionAsync(http, gateway);
        var clock = Stopwatch.StartNew();
        await using var phone = await LiveTwilioCall.StartAsync(gateway.WebSocketUrl("/twilio"), clock);
        await using var browser = await LiveSession.StartAsync(liveSessionUrl, clock);
        await WaitForActiveCallsAsync(http, gateway, 2);

        var signalled = clock.Elapsed;
        await gateway.SignalAsync("TERM");

        // Admission stops at once: the balancer is told, and new calls on every channel are refused.
        var (status, health) = await WaitForHealthAsync(http, gateway, (code, _) => code == HttpStatusCode.ServiceUnavailable);
        Assert.Equal("draining", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("draining").GetBoolean());
        Assert.Equal(2, health.GetProperty("activeCalls").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);

        await using (var refused = await SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/twilio"), new TwilioCallerProtocol(CallIdentity.NewTwilio())))
        {
            await refused.SendConnectedAsync();
            await refused.SendStartAsync();
            var close = await refused.WaitForCloseAsync(TimeSpan.FromSeconds(15));
            Assert.False(close.TimedOut, "the refused stream was not closed");
            Assert.Equal(1013, (int?)close.Status);
            Assert.Contains("draining", close.Description, StringComparison.Ordinal);
        }

        await using (var late = await SessionTestClient.ConnectAsync(lateSessionUrl))
        {
            Assert.Equal(4429, await late.WaitForCloseAsync(TimeSpan.FromSeconds(15)));
            Assert.Contains("draining", late.CloseDescription, StringComparison.Ordinal);
        }

        // Running calls went on until the timeout; then each heard agent audio (the goodbye) before the gateway closed it.
        foreach (var (name, outcome) in new[] { ("twilio", await phone.Outcome.WaitAsync(Generous)), ("session", await browser.Outcome.WaitAsync(Generous)) })
        {
            Assert.True(outcome.AudioAt.Count > 0, $"{name}: no goodbye audio before the close; {outcome}\n{gateway.Output}");
            Assert.True(outcome.AudioAt[0] - signalled >= TimeSpan.FromSeconds(DrainSeconds - 0.1), $"{name}: audio before the drain's timeout; {outcome}, signalled at {signalled}");
            Assert.Equal((int)WebSocketCloseStatus.NormalClosure, outcome.CloseCode);
        }

        Assert.Equal(0, await gateway.WaitForExitAsync(Generous));
        Assert.Contains("Drained in", gateway.Output, StringComparison.Ordinal);

        // Everything was journalled before the process went: the live calls ended 'shutdown', the late ones were refused.
        var calls = gateway.ReadCalls();
        Assert.Equal(4, calls.Count);
        Assert.Equal(["twilio", "websocket"], calls.Where(c => !c.Refused).Select(c => c.Channel).Order(StringComparer.Ordinal));
        Assert.All(calls.Where(c => !c.Refused), c => Assert.Equal("shutdown", c.EndReason));
        Assert.Equal(["twilio", "websocket"], calls.Where(c => c.Refused).Select(c => c.Channel).Order(StringComparer.Ordinal));
        Assert.All(calls.Where(c => c.Refused), c => Assert.Equal("draining", c.EndReason));
    }

    [Fact]
    public async Task SigtermTwice_LiveCalls_SecondSignalHangsUpAtOnceWith1001AndTheProcessExitsZero()
    {
        // The default drain timeout (300 s): only the second signal can make this test end quickly.
        await using var gateway = await GatewayProcess.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var sessionUrl = await CreateDemoSessionAsync(http, gateway);
        var clock = Stopwatch.StartNew();
        await using var phone = await LiveTwilioCall.StartAsync(gateway.WebSocketUrl("/twilio"), clock);
        await using var browser = await LiveSession.StartAsync(sessionUrl, clock);
        await WaitForActiveCallsAsync(http, gateway, 2);

        await gateway.SignalAsync("TERM");
        // Two signals sent back to back may reach the process as one; the second goes once the first has been handled.
        await WaitForHealthAsync(http, gateway, (code, _) => code == HttpStatusCode.ServiceUnavailable);
        var second = clock.Elapsed;
        await gateway.SignalAsync("TERM");

        foreach (var (name, outcome) in new[] { ("twilio", await phone.Outcome.WaitAsync(Generous)), ("session", await browser.Outcome.WaitAsync(Generous)) })
        {
            Assert.True(outcome.CloseCode == (int)WebSocketCloseStatus.EndpointUnavailable, $"{name}: {outcome}\n{gateway.Output}");
            Assert.Equal("gateway shutting down", outcome.CloseReason);
            Assert.Empty(outcome.AudioAt);
        }

        Assert.Equal(0, await gateway.WaitForExitAsync(Generous));
        Assert.True(clock.Elapsed - second < TimeSpan.FromSeconds(30), $"the second SIGTERM took {(clock.Elapsed - second).TotalSeconds:0.0} s to stop the gateway");
        var calls = gateway.ReadCalls();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal("gateway_shutdown", c.EndReason));
    }

    [Fact]
    public async Task Sigterm_NoCalls_ExitsZeroAtOnce()
    {
        await using var gateway = await GatewayProcess.StartAsync();
        var clock = Stopwatch.StartNew();

        await gateway.SignalAsync("TERM");

        Assert.Equal(0, await gateway.WaitForExitAsync(Generous));
        // Nothing to wait for: what remains is the host's own shutdown (the 300 s drain timeout plays no part).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed.TotalSeconds:0.0} s\n{gateway.Output}");
        Assert.Contains("Drained in", gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>A keyless demo session (the local backend allows them) in <c>audio_playback</c>; returns its <c>wsUrl</c>.</summary>
    private static async Task<string> CreateDemoSessionAsync(HttpClient http, GatewayProcess gateway)
    {
        using var response = await http.PostAsync(gateway.BaseUrl + "/demo/sessions", new StringContent("""{"mode":"audio_playback"}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("wsUrl").GetString()!;
    }

    private static async Task WaitForActiveCallsAsync(HttpClient http, GatewayProcess gateway, int count) =>
        await WaitForHealthAsync(http, gateway, (_, body) => body.GetProperty("activeCalls").GetInt32() == count);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> WaitForHealthAsync(HttpClient http, GatewayProcess gateway, Func<HttpStatusCode, JsonElement, bool> until)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            using var response = await http.GetAsync(gateway.BaseUrl + "/healthz");
            last = await response.Content.ReadAsStringAsync();
            var body = JsonDocument.Parse(last).RootElement.Clone();
            if (until(response.StatusCode, body))
            {
                return (response.StatusCode, body);
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"health never matched; last: {last}\n{gateway.Output}");
    }
}
