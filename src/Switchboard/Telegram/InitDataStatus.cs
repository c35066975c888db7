namespace Switchboard.Telegram;

/// <summary>Why an <c>initData</c> string was accepted or not (each refusal is <c>init_data_invalid</c> to the page, with this as the detail).</summary>
internal enum InitDataStatus
{
    Valid,

    /// <summary>Empty, too long, not form-encoded, a repeated key, or no <c>auth_date</c>.</summary>
    Malformed,

    /// <summary>Neither the HMAC <c>hash</c> nor an accepted Ed25519 <c>signature</c> checks out.</summary>
    BadSignature,

    /// <summary><c>auth_date</c> is older than the accepted window (or in the future).</summary>
    Stale,

    /// <summary>Signed, but without a <c>user</c> carrying a numeric id.</summary>
    NoUser,
}
