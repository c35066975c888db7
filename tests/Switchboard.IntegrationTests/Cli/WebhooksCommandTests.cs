using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Webhooks;

namespace Switchboard.IntegrationTests.Cli;

public sealed partial class WebhooksCommandTests : IDisposable
{
    private readonly LocalCliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Local_CreateListDeliveriesRetryDelete_WorkOnTheDatabase()
    {
        var bad = await _cli.RunAsync("webhooks", "create", "--url", "ftp://example.com", "--events", "call.ended");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("url must be an absolute http", bad.Error, StringComparison.Ordinal);
        var unknown = await _cli.RunAsync("webhooks", "create", "--url", "https://example.com/h", "--events", "call.ended,call.nope");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unknown event type 'call.nope'", unknown.Error, StringComparison.Ordinal);

        var created = await _cli.RunAsync("webhooks", "create", "--url", "https://example.com/h", "--events", "call.ended,call.started");
        Assert.True(created.ExitCode == 0, created.ToString());
        var secret = Assert.Single(SecretPattern().Matches(created.Out)).Value;
        Assert.Contains("will not be shown again", created.Out, StringComparison.Ordinal);
        Assert.Contains("call.started,call.ended", created.Out, StringComparison.Ordinal);

        var list = await _cli.RunAsync("webhooks", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.DoesNotContain(secret, list.Out, StringComparison.Ordinal);
        var webhook = JsonDocument.Parse(list.Out).RootElement.GetProperty("webhooks")[0];
        var id = webhook.GetProperty("id").GetGuid();

        var team = (await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None))!;
        var body = WebhookPayloads.Envelope(WebhookEventTypes.CallEnded, DateTimeOffset.UtcNow, w => w.WriteString("callId", "call_cli"));
        await _cli.Store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.CallEnded, team.Id, null, body), DateTimeOffset.UtcNow, CancellationToken.None);
        var deliveries = await _cli.RunAsync("webhooks", "deliveries", "--status", "pending");
        Assert.True(deliveries.ExitCode == 0, deliveries.ToString());
        var deliveryId = Assert.Single(DeliveryPattern().Matches(deliveries.Out)).Value;
        Assert.Contains("call.ended", deliveries.Out, StringComparison.Ordinal);
        Assert.Contains("No deliveries.", (await _cli.RunAsync("webhooks", "deliveries", "--status", "delivered")).Out, StringComparison.Ordinal);

        var retry = await _cli.RunAsync("webhooks", "retry", deliveryId);
        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.Contains("is due now", retry.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _cli.RunAsync("webhooks", "retry", "msg_nope")).ExitCode);

        var deleted = await _cli.RunAsync("webhooks", "delete", id.ToString("D"));
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("No webhooks yet", (await _cli.RunAsync("webhooks", "list")).Out, StringComparison.Ordinal);
        var failed = await _cli.RunAsync("webhooks", "deliveries", "--json", "--status", "failed");
        Assert.Equal("subscription deleted", JsonDocument.Parse(failed.Out).RootElement.GetProperty("deliveries")[0].GetProperty("lastError").GetString());
        Assert.NotEqual(0, (await _cli.RunAsync("webhooks", "delete", id.ToString("D"))).ExitCode);
    }

    [Fact]
    public async Task Remote_CreateThenDeliveries_AgainstTheRealApi()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(WebhookTestKit.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        string[] remote = ["--server", gateway.BaseUrl, "--api-key", key];

        var created = await CliRun.InvokeAsync(null, ["webhooks", "create", "--url", receiver.Url, "--events", "tool.failed", "--endpoint", SessionApi.DefaultEndpoint(gateway).Name, "--json", .. remote]);
        Assert.True(created.ExitCode == 0, created.ToString());
        var json = JsonDocument.Parse(created.Out).RootElement;
        var secret = json.GetProperty("secret").GetString()!;
        Assert.Equal(SessionApi.DefaultEndpoint(gateway).Id, json.GetProperty("endpointId").GetGuid());

        await gateway.Store.EnqueueWebhookEventAsync(
            new WebhookEvent(WebhookEventTypes.ToolFailed, SessionApi.DefaultTeam(gateway).Id, SessionApi.DefaultEndpoint(gateway).Id,
                WebhookPayloads.Envelope(WebhookEventTypes.ToolFailed, DateTimeOffset.UtcNow, _ => { })),
            DateTimeOffset.UtcNow, CancellationToken.None);
        var received = Assert.Single(await receiver.WaitForAsync(r => r.Count == 1));
        Assert.True(received.SignatureIsValid(secret));
        await WebhookTestKit.WaitForDeliveriesAsync(gateway, key, d => d.Length == 1 && d[0].GetProperty("status").GetString() == "delivered");

        var list = await CliRun.InvokeAsync(null, ["webhooks", "deliveries", .. remote]);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(received.Id, list.Out, StringComparison.Ordinal);
        Assert.Contains("delivered", list.Out, StringComparison.Ordinal);
        var retry = await CliRun.InvokeAsync(null, ["webhooks", "retry", received.Id, .. remote]);
        Assert.Equal(Switchboard.Cli.ExitCodes.Failed, retry.ExitCode);
        Assert.Contains("409", retry.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"whsec_[A-Za-z0-9+/]{43}=")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"msg_[0-9a-f]{32}")]
    private static partial Regex DeliveryPattern();
}
