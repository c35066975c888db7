using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Webhooks;

namespace Switchboard.Tests.Webhooks;

public sealed class WebhookAdminTests : IAsyncLifetime
{
    private AdminStore _db = null!;
    private WebhookAdmin _admin = null!;

    public async Task InitializeAsync()
    {
        _db = await AdminStore.OpenAsync();
        _admin = new WebhookAdmin(_db.Store, _db.Store, _db.Time);
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CreateAsync_Valid_TrimsTheUrlNormalizesTheTypesAndMakesASecret()
    {
        var result = await _admin.CreateAsync(_db.Team.Id, " https://example.com/hooks ", ["call.ended", "call.started", "call.ended"], null, CancellationToken.None);

        Assert.True(result.Succeeded(out var subscription, out _));
        Assert.Equal("https://example.com/hooks", subscription.Url);
        Assert.Equal([WebhookEventTypes.CallStarted, WebhookEventTypes.CallEnded], subscription.EventTypes);
        Assert.StartsWith("whsec_", subscription.Secret, StringComparison.Ordinal);
        Assert.Equal(subscription.Id, (await _admin.GetAsync(_db.Team.Id, subscription.Id.ToString(), CancellationToken.None))?.Id);
    }

    [Fact]
    public async Task CreateAsync_BadUrlUnknownTypeAndAnotherTeamsEndpoint_ReportsEveryField()
    {
        var theirs = await CreateEndpointAsync(_db.Other.Id);

        var result = await _admin.CreateAsync(_db.Team.Id, "ftp://example.com", ["call.ended", "call.nope"], theirs.Id, CancellationToken.None);

        Assert.False(result.Succeeded(out _, out var error));
        Assert.Equal(AdminStatus.Invalid, error.Status);
        Assert.Equal(["url", "eventTypes", "endpointId"], error.Errors.Keys);
        Assert.StartsWith("url must be an absolute http:// or https:// URL", error.Errors["url"][0], StringComparison.Ordinal);
        Assert.StartsWith("unknown event type 'call.nope'", error.Errors["eventTypes"][0], StringComparison.Ordinal);
        Assert.Equal(["endpointId must be an endpoint of your team"], error.Errors["endpointId"]);
        Assert.Empty(await _admin.ListAsync(_db.Team.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(null, "call.ended")]
    [InlineData("https://", "call.ended")]
    [InlineData("https://example.com/h", null)]
    [InlineData("https://example.com/h", " ")]
    public async Task CreateAsync_MissingUrlOrTypes_IsInvalid(string? url, string? type)
    {
        var result = await _admin.CreateAsync(_db.Team.Id, url, type is null ? [] : [type], null, CancellationToken.None);

        Assert.Equal(AdminStatus.Invalid, result.Error?.Status);
        Assert.Single(result.Error!.Errors);
    }

    [Fact]
    public async Task CreateAsync_ForOneOfTheTeamsEndpoints_KeepsTheFilter()
    {
        var mine = await CreateEndpointAsync(_db.Team.Id);

        var result = await _admin.CreateAsync(_db.Team.Id, "https://example.com/h", ["tool.failed"], mine.Id, CancellationToken.None);

        Assert.Equal(mine.Id, result.Value?.EndpointId);
    }

    [Fact]
    public async Task DeleteAsync_ReturnsWhatItWas_ThenItIsGone_AndAnotherTeamsLooksMissing()
    {
        var mine = (await _admin.CreateAsync(_db.Team.Id, "https://example.com/h", ["call.ended"], null, CancellationToken.None)).Value!;
        var theirs = (await _admin.CreateAsync(_db.Other.Id, "https://example.com/h", ["call.ended"], null, CancellationToken.None)).Value!;

        var other = await _admin.DeleteAsync(_db.Team.Id, theirs.Id.ToString(), CancellationToken.None);
        var deleted = await _admin.DeleteAsync(_db.Team.Id, mine.Id.ToString(), CancellationToken.None);
        var again = await _admin.DeleteAsync(_db.Team.Id, mine.Id.ToString(), CancellationToken.None);
        var malformed = await _admin.DeleteAsync(_db.Team.Id, "not-an-id", CancellationToken.None);

        Assert.Equal(new AdminError(AdminStatus.NotFound, "no such webhook"), other.Error);
        Assert.Equal(mine.Url, deleted.Value?.Url);
        Assert.Equal(AdminStatus.NotFound, again.Error?.Status);
        Assert.Equal(AdminStatus.NotFound, malformed.Error?.Status);
        Assert.Single(await _admin.ListAsync(_db.Other.Id, CancellationToken.None));
    }

    [Fact]
    public async Task ListDeliveriesAsync_UnknownStatus_IsInvalid()
    {
        var result = await _admin.ListDeliveriesAsync(_db.Team.Id, "lost", new PageRequest(1, 20), CancellationToken.None);

        Assert.Equal(AdminStatus.Invalid, result.Error?.Status);
        Assert.Equal("status must be pending, delivered or failed", result.Error!.Detail);
        Assert.Equal([result.Error.Detail], result.Error.Errors["status"]);
    }

    [Fact]
    public async Task RetryDeliveryAsync_PendingIsDueNow_DeliveredOrDeletedSubscriptionIsAConflict()
    {
        var subscription = (await _admin.CreateAsync(_db.Team.Id, "https://example.com/h", ["call.ended"], null, CancellationToken.None)).Value!;
        var first = await EnqueueAsync();
        var second = await EnqueueAsync();

        // Deliver the first one, as the dispatcher would.
        var claimed = await _db.Store.ClaimWebhookDeliveriesAsync("lease", _db.Time.GetUtcNow(), _db.Time.GetUtcNow().AddMinutes(1), 10, CancellationToken.None);
        var lease = Assert.Single(claimed, c => c.Id == first);
        Assert.True(await _db.Store.CompleteWebhookDeliveryAsync(first, lease.LeaseToken, delivered: true, _db.Time.GetUtcNow(), null, 200, null, CancellationToken.None));
        await _db.Store.ReleaseWebhookLeaseAsync(second, "lease", CancellationToken.None);

        var pending = await _admin.RetryDeliveryAsync(_db.Team.Id, second, CancellationToken.None);
        var delivered = await _admin.RetryDeliveryAsync(_db.Team.Id, first, CancellationToken.None);
        var otherTeam = await _admin.RetryDeliveryAsync(_db.Other.Id, second, CancellationToken.None);
        var tooLong = await _admin.RetryDeliveryAsync(_db.Team.Id, "msg_" + new string('0', 200), CancellationToken.None);
        Assert.Null((await _admin.DeleteAsync(_db.Team.Id, subscription.Id.ToString(), CancellationToken.None)).Error);
        var deleted = await _admin.RetryDeliveryAsync(_db.Team.Id, second, CancellationToken.None);

        Assert.Equal(WebhookDeliveryStatus.Pending, pending.Value?.Status);
        Assert.Equal(new AdminError(AdminStatus.Conflict, "the delivery was already delivered"), delivered.Error);
        Assert.Equal(new AdminError(AdminStatus.NotFound, "no such delivery"), otherTeam.Error);
        Assert.Equal(AdminStatus.NotFound, tooLong.Error?.Status);
        Assert.Equal(new AdminError(AdminStatus.Conflict, "the delivery's webhook was deleted"), deleted.Error);
    }

    private async Task<string> EnqueueAsync()
    {
        var before = (await _db.Store.ListWebhookDeliveriesAsync(_db.Team.Id, null, 0, 100, CancellationToken.None)).Items.Select(d => d.Id).ToList();
        var body = WebhookPayloads.Envelope(WebhookEventTypes.CallEnded, _db.Time.GetUtcNow(), w => w.WriteString("callId", "call_unit"));
        Assert.Equal(1, await _db.Store.EnqueueWebhookEventAsync(new WebhookEvent(WebhookEventTypes.CallEnded, _db.Team.Id, null, body), _db.Time.GetUtcNow(), CancellationToken.None));
        var after = (await _db.Store.ListWebhookDeliveriesAsync(_db.Team.Id, null, 0, 100, CancellationToken.None)).Items.Select(d => d.Id);
        return Assert.Single(after.Except(before));
    }

    private async Task<AgentEndpoint> CreateEndpointAsync(Guid teamId)
    {
        var endpoints = new EndpointAdmin(_db.Store, _db.Time);
        var result = await endpoints.CreateAsync(teamId, new System.Text.Json.Nodes.JsonObject { ["name"] = "e-" + Guid.NewGuid().ToString("N")[..8] }, CancellationToken.None);
        return result.Value!;
    }
}
