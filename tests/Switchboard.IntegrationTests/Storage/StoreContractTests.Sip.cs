namespace Switchboard.IntegrationTests.Storage;

/// <summary>The SIP connector's part of the store contract: a webhook id and its call id are recorded once, then forgotten by age.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task SipWebhook_RecordedOnce_ByWebhookIdOrCallId_PrunedByAge()
    {
        Assert.True(await Store.TryRecordIncomingCallAsync("wh_1", "rtc_1", T0, None));
        Assert.False(await Store.TryRecordIncomingCallAsync("wh_1", "rtc_1", T0.AddSeconds(5), None));
        // Another webhook id announcing the same call, or the same webhook id with another call: both redeliveries.
        Assert.False(await Store.TryRecordIncomingCallAsync("wh_2", "rtc_1", T0.AddSeconds(6), None));
        Assert.False(await Store.TryRecordIncomingCallAsync("wh_1", "rtc_2", T0.AddSeconds(7), None));
        Assert.True(await Store.TryRecordIncomingCallAsync("wh_3", "rtc_3", T0.AddHours(2), None));

        await Store.PruneSipWebhooksAsync(T0.AddHours(1), None);

        Assert.True(await Store.TryRecordIncomingCallAsync("wh_1", "rtc_1", T0.AddHours(3), None));
        Assert.False(await Store.TryRecordIncomingCallAsync("wh_3", "rtc_3", T0.AddHours(3), None));
    }
}
