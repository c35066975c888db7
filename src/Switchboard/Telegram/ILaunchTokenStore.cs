namespace Switchboard.Telegram;

/// <summary>
/// Launch tokens already redeemed, shared by every gateway node on the database, so a token bootstraps exactly once even
/// across a restart or on another node.
/// </summary>
internal interface ILaunchTokenStore
{
    /// <summary>Records token <paramref name="tokenId"/> as redeemed; false when it was redeemed before.</summary>
    Task<bool> TryConsumeLaunchTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Forgets tokens that expired before <paramref name="before"/> (they can no longer be presented).</summary>
    Task PruneLaunchTokensAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
