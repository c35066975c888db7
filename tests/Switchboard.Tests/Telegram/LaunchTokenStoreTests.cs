namespace Switchboard.Tests.Telegram;

public sealed class LaunchTokenStoreTests
{
    [Fact]
    public async Task TryConsumeLaunchToken_SecondRedemption_IsRefused()
    {
        using var admin = await AdminStore.OpenAsync();
        var expires = DateTimeOffset.UtcNow.AddMinutes(2);

        Assert.True(await admin.Store.TryConsumeLaunchTokenAsync("token-a", expires, CancellationToken.None));
        Assert.False(await admin.Store.TryConsumeLaunchTokenAsync("token-a", expires, CancellationToken.None));
        Assert.True(await admin.Store.TryConsumeLaunchTokenAsync("token-b", expires, CancellationToken.None));
    }

    [Fact]
    public async Task TryConsumeLaunchToken_ConcurrentRedemptions_OnlyOneWins()
    {
        using var admin = await AdminStore.OpenAsync();
        var expires = DateTimeOffset.UtcNow.AddMinutes(2);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => admin.Store.TryConsumeLaunchTokenAsync("token-c", expires, CancellationToken.None))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task PruneLaunchTokens_ForgetsOnlyExpiredOnes()
    {
        using var admin = await AdminStore.OpenAsync();
        var now = DateTimeOffset.UtcNow;
        await admin.Store.TryConsumeLaunchTokenAsync("old", now.AddMinutes(-5), CancellationToken.None);
        await admin.Store.TryConsumeLaunchTokenAsync("live", now.AddMinutes(5), CancellationToken.None);

        await admin.Store.PruneLaunchTokensAsync(now, CancellationToken.None);

        Assert.True(await admin.Store.TryConsumeLaunchTokenAsync("old", now.AddMinutes(-5), CancellationToken.None));
        Assert.False(await admin.Store.TryConsumeLaunchTokenAsync("live", now.AddMinutes(5), CancellationToken.None));
    }
}
