using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Switchboard.Control;

/// <summary>
/// Issues and checks the short-lived <c>wsToken</c> that admits one client to <c>/ws/session</c>: an HS256 JWT whose
/// <c>sub</c> is the session id, with the team, endpoint and mode as claims. Tokens are bearer credentials for one
/// session only, so validation also insists on the session the client names. Never log a token; log its <c>jti</c>.
/// </summary>
internal sealed class SessionTokens
{
    /// <summary>The <c>iss</c> of every session token.</summary>
    public const string Issuer = "switchboard";

    /// <summary>The <c>aud</c> of every session token: only the session WebSocket accepts it.</summary>
    public const string Audience = "switchboard:ws-session";

    /// <summary>Smallest signing key accepted: HS256 wants at least its own output size.</summary>
    public const int MinKeyBytes = 32;

    private const string TeamClaim = "team_id";
    private const string EndpointClaim = "endpoint_id";
    private const string ModeClaim = "mode";

    /// <summary>The call a listen session follows (only in listen sessions' tokens; the session table does not hold it).</summary>
    private const string ListenToClaim = "listen_to";
    private const int MaxTokenChars = 4096;

    /// <summary>Tolerance for clocks of gateway nodes that share the signing key (a token issued on one is checked on another).</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly TokenValidationParameters _validation;
    private readonly TimeProvider _time;

    public SessionTokens(byte[] key, TimeSpan lifetime, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"the session signing key must be at least {MinKeyBytes} bytes", nameof(key));
        }

        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "the token lifetime must be positive");
        }

        Lifetime = lifetime;
        _time = time;
        var signingKey = new SymmetricSecurityKey(key);
        _credentials = new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256);
        _validation = new TokenValidationParameters
        {
            IssuerSigningKey = signingKey,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            // Lifetime is checked below against the injected clock (after the signature, so a tampered token
            // is reported as such even when it has also expired).
            ValidateLifetime = false,
        };
    }

    /// <summary>How long a new token is accepted.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>
    /// A new token for <paramref name="session"/>, valid from now for <see cref="Lifetime"/>; a listen session's names the call
    /// it follows (<paramref name="listenTo"/>).
    /// </summary>
    public IssuedSessionToken Issue(SessionRecord session, string? listenTo = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        // JWT times are whole seconds; truncate so exp never lies about the lifetime by a fraction.
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + Lifetime;
        var tokenId = Guid.NewGuid().ToString("N");
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = session.Id.ToString("D"),
            [JwtRegisteredClaimNames.Jti] = tokenId,
            [TeamClaim] = session.TeamId.ToString("D"),
            [EndpointClaim] = session.EndpointId.ToString("D"),
            [ModeClaim] = session.Mode,
        };
        if (!string.IsNullOrEmpty(listenTo))
        {
            claims[ListenToClaim] = listenTo;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _credentials,
            Claims = claims,
        });
        return new IssuedSessionToken(token, tokenId, expires);
    }

    /// <summary>Checks a presented token for the session the client names. Never throws on hostile input.</summary>
    public async Task<SessionTokenResult> ValidateAsync(string? token, Guid sessionId)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxTokenChars)
        {
            return SessionTokenResult.Failed(SessionTokenStatus.Malformed);
        }

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, _validation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException)
        {
            return SessionTokenResult.Failed(SessionTokenStatus.Malformed);
        }

        if (!result.IsValid)
        {
            return SessionTokenResult.Failed(Classify(result.Exception));
        }

        if (result.SecurityToken is not JsonWebToken jwt
            || !Guid.TryParse(jwt.Subject, out var subject)
            || !TryGuid(jwt, TeamClaim, out var teamId)
            || !TryGuid(jwt, EndpointClaim, out var endpointId)
            || !jwt.TryGetPayloadValue<string>(ModeClaim, out var mode) || string.IsNullOrEmpty(mode)
            || string.IsNullOrEmpty(jwt.Id))
        {
            return SessionTokenResult.Failed(SessionTokenStatus.InvalidClaims);
        }

        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp) || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf))
        {
            return SessionTokenResult.Failed(SessionTokenStatus.InvalidClaims);
        }

        var now = _time.GetUtcNow();
        if (now >= DateTimeOffset.FromUnixTimeSeconds(exp) + ClockSkew)
        {
            return SessionTokenResult.Failed(SessionTokenStatus.Expired);
        }

        if (now + ClockSkew < DateTimeOffset.FromUnixTimeSeconds(nbf))
        {
            return SessionTokenResult.Failed(SessionTokenStatus.NotYetValid);
        }

        if (subject != sessionId)
        {
            return SessionTokenResult.Failed(SessionTokenStatus.WrongSession);
        }

        var issuedAt = jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat) ? DateTimeOffset.FromUnixTimeSeconds(iat) : DateTimeOffset.FromUnixTimeSeconds(nbf);
        var listenTo = jwt.TryGetPayloadValue<string>(ListenToClaim, out var target) && !string.IsNullOrEmpty(target) ? target : null;
        var claims = new SessionTokenClaims(subject, teamId, endpointId, mode, jwt.Id, issuedAt, DateTimeOffset.FromUnixTimeSeconds(exp), listenTo);
        return new SessionTokenResult(SessionTokenStatus.Valid, claims);
    }

    private static bool TryGuid(JsonWebToken jwt, string claim, out Guid value)
    {
        value = Guid.Empty;
        return jwt.TryGetPayloadValue<string>(claim, out var text) && Guid.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    private static SessionTokenStatus Classify(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => SessionTokenStatus.Expired,
        SecurityTokenNotYetValidException => SessionTokenStatus.NotYetValid,
        SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException or SecurityTokenSignatureKeyNotFoundException => SessionTokenStatus.BadSignature,
        SecurityTokenInvalidAudienceException or SecurityTokenInvalidIssuerException or SecurityTokenInvalidLifetimeException
            or SecurityTokenNoExpirationException or SecurityTokenInvalidTypeException => SessionTokenStatus.InvalidClaims,
        _ => SessionTokenStatus.Malformed,
    };
}
