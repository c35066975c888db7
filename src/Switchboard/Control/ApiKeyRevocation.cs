namespace Switchboard.Control;

/// <summary>A revoked key as stored afterwards, and whether it had been revoked before (revoking twice keeps the first time).</summary>
internal sealed record ApiKeyRevocation(ApiKeyRecord Key, bool WasAlreadyRevoked);
