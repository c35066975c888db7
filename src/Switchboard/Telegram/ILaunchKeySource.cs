namespace Switchboard.Telegram;

/// <summary>The launch-token key, derived from the gateway's session signing key once the database is ready.</summary>
internal interface ILaunchKeySource
{
    Task<byte[]> GetLaunchTokenKeyAsync(CancellationToken cancellationToken);
}
