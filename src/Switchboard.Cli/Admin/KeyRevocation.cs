namespace Switchboard.Cli.Admin;

/// <summary>The outcome of revoking a key: the key afterwards, and whether it had been revoked before.</summary>
internal sealed record KeyRevocation(KeyView Key, bool WasAlreadyRevoked);
