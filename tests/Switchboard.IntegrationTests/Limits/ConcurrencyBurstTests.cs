using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.IntegrationTests.Limits;

/// <summary>
/// Concurrency caps through real sockets on every channel: a burst of three times the cap, in a mix of Twilio, Telnyx and
/// browser sessions, admits exactly the cap and refuses the rest with each channel's refusal; killing the admitted calls
/// in every state frees every slot.
/// </summary>
public class ConcurrencyBurstTests
{
    private const int Cap = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static Dictionary<string, string?> Settings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Telnyx:StreamToken"] = "tel-secret";
        // Silence from the burst's callers must not end calls while the test looks at them.
        settings["Switchboard:Limits:IdleWarningSeconds"] = "0";
        settings["Switchboard:Limits:IdleTimeoutSeconds"] = "0";
        return settings;
    }

    private static async Task<RawCall> OpenAsync(GatewayFixture gateway, string kind, Guid endpointId, string? wsUrl) => kind switch
    {
        "twilio" => await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpointId, await CarrierBinding.TokenAsync(gateway, endpointId)),
        "telnyx" => await RawCall.CarrierAsync("telnyx", gateway.WebSocketUrl("/telnyx?token=tel-secret"), endpointId, await CarrierBinding.TokenAsync(gateway, endpointId)),
        _ => await RawCall.SessionAsync(wsUrl!),
    };

    [Fact]
    public async Task Burst_ThreeTimesTheCap_ExactlyTheCapAdmitted_RestRefusedPerChannel_SlotsFreeAfterKills()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Limits = new LimitsSpec { MaxConcurrentCalls = Cap } });
        var key = await SessionApi.CreateKeyAsync(gateway);
        // Session tokens first (nothing is live yet, so creation is admitted); their sockets join the burst.
        var sessions = new List<string>();
        for (var i = 0; i < Cap; i++)
        {
            sessions.Add((await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id)).WsUrl);
        }

        var kinds = Enumerable.Range(0, 3 * Cap).Select(i => (i % 3) switch { 0 => "twilio", 1 => "telnyx", _ => "session" }).ToArray();
        var sessionIndex = 0;
        var calls = await Task.WhenAll(kinds.Select(kind => OpenAsync(gateway, kind, endpoint.Id, kind == "session" ? sessions[sessionIndex++] : null)));
        try
        {
            // Refused calls close at once; admitted ones stay.
            var slots = gateway.App.Services.GetRequiredService<ConcurrencySlots>();
            await WaitForAsync(() => calls.Count(c => c.Closed.IsCompleted) == 2 * Cap && gateway.Calls.Count == Cap, "the refusals");

            var refused = calls.Where(c => c.Closed.IsCompleted).ToList();
            var admitted = calls.Where(c => !c.Closed.IsCompleted).ToList();
            Assert.Equal(Cap, admitted.Count);
            Assert.Equal(Cap, slots.InUse(AdmissionGate.EndpointKey(endpoint.Id)));
            foreach (var call in refused)
            {
                var (status, reason) = await call.Closed;
                Assert.Equal(call.Kind == "session" ? 4429 : 1013, (int?)status);
                Assert.StartsWith("busy:", reason, StringComparison.Ordinal);
            }

            // A refused call is journalled as one, with its own record.
            await gateway.Journal.FlushAsync(CancellationToken.None);
            var records = (await gateway.Store.ListCallsAsync(null, 0, 100, CancellationToken.None)).Items;
            Assert.Equal(2 * Cap, records.Count(r => r.Refused && r.EndReason == Refusals.Busy));

            // While full, creating a session answers 429 with Retry-After.
            using (var full = await SessionApi.PostAsync(gateway, key, endpoint.Id))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, full.StatusCode);
                Assert.True(full.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 });
                Assert.Contains("busy", (await SessionApi.ProblemAsync(full)).GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            // Kill the admitted calls in different states: an abort with no close frame, a clean hang-up, a bare close.
            await admitted[0].AbortAsync();
            await admitted[1].HangUpAsync();
            await admitted[2].CloseSocketAsync();
            await WaitForAsync(() => gateway.Calls.Count == 0 && slots.Total == 0, "every slot to be free");

            // The cap admits again.
            await using var again = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id));
            await WaitForAsync(() => gateway.Calls.Count == 1, "a new call to be admitted");
            Assert.False(again.Closed.IsCompleted);
        }
        finally
        {
            foreach (var call in calls)
            {
                await call.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Kills_InEveryState_NeverLeakASlot()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Limits = new LimitsSpec { MaxConcurrentCalls = 2 } });
        var slots = gateway.App.Services.GetRequiredService<ConcurrencySlots>();
        var random = new Random(1406);
        for (var round = 0; round < 12; round++)
        {
            var kind = round % 2 == 0 ? "twilio" : "telnyx";
            var call = await RawCall.CarrierAsync(kind, gateway.WebSocketUrl(kind == "twilio" ? "/twilio" : "/telnyx?token=tel-secret"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id));
            // Kill it before the start is read, right after, or while it runs.
            var delay = random.Next(3) switch { 0 => 0, 1 => 20, _ => 300 };
            await Task.Delay(delay);
            switch (random.Next(3))
            {
                case 0:
                    await call.AbortAsync();
                    break;
                case 1:
                    await call.HangUpAsync();
                    break;
                default:
                    await call.CloseSocketAsync();
                    break;
            }

            await WaitForAsync(() => gateway.Calls.Count == 0 && slots.Total == 0, $"round {round}: the slot to be freed");
            await call.DisposeAsync();
        }

        await gateway.Journal.FlushAsync(CancellationToken.None);
        var records = (await gateway.Store.ListCallsAsync(null, 0, 100, CancellationToken.None)).Items;
        Assert.DoesNotContain(records, r => r.Refused);
        Assert.All(records, r => Assert.NotNull(r.EndedAt));
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(20);
        }
    }
}
