namespace Switchboard.Control;

/// <summary>The result of <see cref="SessionTokens.ValidateAsync"/>: a status, and the claims when valid.</summary>
internal readonly record struct SessionTokenResult(SessionTokenStatus Status, SessionTokenClaims? Claims)
{
    public bool IsValid => Status == SessionTokenStatus.Valid;

    public static SessionTokenResult Failed(SessionTokenStatus status) => new(status, null);
}
