using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>The outcome of revoking a key (not a wire shape: the API answers 204): the key afterwards, and whether it had been revoked before.</summary>
internal sealed record KeyRevocation(KeyResponse Key, bool WasAlreadyRevoked);
