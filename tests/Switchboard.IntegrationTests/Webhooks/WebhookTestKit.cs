using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Webhooks;

/// <summary>Gateway settings and API helpers shared by the webhook tests.</summary>
internal static class WebhookTestKit
{
    /// <summary>
    /// Session settings plus a fast retry schedule (0.2 s) so retries happen within a test, and loopback allowed by the
    /// outbound policy (the receivers listen on 127.0.0.1); a test about the policy sets <c>AllowedPrivateNetworks:0</c> itself.
    /// </summary>
    public static Dictionary<string, string?> Settings(Dictionary<string, string?>? extra = null)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Network:AllowedPrivateNetworks:0"] = "127.0.0.0/8";
        settings["Switchboard:Webhooks:RetryScheduleSeconds:0"] = "0.2";
        settings["Switchboard:Webhooks:PollIntervalSeconds"] = "0.5";
        settings["Switchboard:Webhooks:TimeoutSeconds"] = "3";
        settings["Switchboard:Webhooks:LeaseSeconds"] = "10";
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        return settings;
    }

    public static HttpClient Client(GatewayFixture gateway, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-API-Key", key);
        return http;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Subscribes through the API; returns the id and the secret shown once.</summary>
    public static async Task<(Guid Id, string Secret)> SubscribeAsync(GatewayFixture gateway, string key, string url, string[] types, Guid? endpointId = null)
    {
        using var http = Client(gateway, key);
        var body = JsonSerializer.Serialize(new Dictionary<string, object?> { ["url"] = url, ["eventTypes"] = types, ["endpointId"] = endpointId });
        using var response = await http.PostAsync("/api/v1/webhooks", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var created = JsonDocument.Parse(text).RootElement;
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    /// <summary>The team's deliveries as the API lists them.</summary>
    public static async Task<JsonElement[]> DeliveriesAsync(GatewayFixture gateway, string key, string? status = null)
    {
        using var http = Client(gateway, key);
        var json = await http.GetFromJsonAsync<JsonElement>("/api/v1/webhooks/deliveries?limit=100" + (status is null ? "" : "&status=" + status));
        return json.GetProperty("deliveries").EnumerateArray().ToArray();
    }

    /// <summary>Polls the deliveries API until <paramref name="done"/> holds (10 s).</summary>
    public static async Task<JsonElement[]> WaitForDeliveriesAsync(GatewayFixture gateway, string key, Func<JsonElement[], bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var deliveries = await DeliveriesAsync(gateway, key);
            if (done(deliveries))
            {
                return deliveries;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("deliveries: " + string.Join(" | ", deliveries.Select(d => d.GetRawText())));
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A <c>tool.failed</c> event through the method later features use; <paramref name="n"/> makes each body distinct.</summary>
    public static Task<int> EnqueueAsync(GatewayFixture gateway, Guid teamId, int n = 0)
    {
        var at = DateTimeOffset.UtcNow;
        var body = WebhookPayloads.Envelope(WebhookEventTypes.ToolFailed, at, w =>
        {
            w.WriteString("callId", "call_test");
            w.WriteNumber("n", n);
        });
        return gateway.Store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.ToolFailed, teamId, null, body), at, CancellationToken.None);
    }
}
