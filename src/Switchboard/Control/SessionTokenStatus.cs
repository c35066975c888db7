namespace Switchboard.Control;

/// <summary>The outcome of checking a session token; only <see cref="Valid"/> admits a connection.</summary>
internal enum SessionTokenStatus
{
    Valid,

    /// <summary>Not a JWT at all (empty, wrong number of parts, bad base64 or JSON).</summary>
    Malformed,

    /// <summary>Signed with another key, tampered with, unsigned (<c>alg: none</c>) or with another algorithm than HS256.</summary>
    BadSignature,

    /// <summary>Past its <c>exp</c>.</summary>
    Expired,

    /// <summary>Before its <c>nbf</c> (a clock far ahead on the issuing node).</summary>
    NotYetValid,

    /// <summary>Correctly signed but not a session token of this gateway: wrong issuer or audience, or claims missing.</summary>
    InvalidClaims,

    /// <summary>A valid token for another session.</summary>
    WrongSession,
}
