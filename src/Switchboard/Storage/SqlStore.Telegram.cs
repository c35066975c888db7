namespace Switchboard.Storage;

/// <summary>Redeemed Telegram launch tokens (<c>telegram_launch_tokens</c>, migration 5).</summary>
internal abstract partial class SqlStore
{
    public async Task<bool> TryConsumeLaunchTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // The primary key makes the second redemption insert nothing, on every node at once.
        await using var cmd = Command(connection, null,
            "INSERT INTO telegram_launch_tokens (token_id, expires_at) VALUES (@id, @expires) ON CONFLICT DO NOTHING");
        Add(cmd, "id", tokenId);
        Add(cmd, "expires", expiresAt);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task PruneLaunchTokensAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "DELETE FROM telegram_launch_tokens WHERE expires_at < @before");
        Add(cmd, "before", before);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
