namespace Switchboard.Webhooks;

/// <summary>The outcome of checking an inbound webhook's signature: <see cref="Verified"/>, or the precise reason it was refused.</summary>
internal enum WebhookVerification
{
    /// <summary>The signature matches and the timestamp is within the tolerance.</summary>
    Verified,

    /// <summary>The message id header (<c>webhook-id</c>) is missing or empty.</summary>
    MissingId,

    /// <summary>The timestamp header is missing or empty.</summary>
    MissingTimestamp,

    /// <summary>The signature header is missing or empty.</summary>
    MissingSignature,

    /// <summary>The timestamp is not a whole number of Unix seconds.</summary>
    MalformedTimestamp,

    /// <summary>The timestamp is older than the tolerance (a replay, or a badly wrong clock).</summary>
    TimestampTooOld,

    /// <summary>The timestamp is further in the future than the tolerance.</summary>
    TimestampTooNew,

    /// <summary>The signature header holds no entry this scheme can check (e.g. only <c>v1a,</c> entries), or it is not valid base64.</summary>
    MalformedSignature,

    /// <summary>The configured secret or public key is unusable (empty, bad base64, wrong length).</summary>
    InvalidKey,

    /// <summary>Well-formed, but no signature matches the body.</summary>
    SignatureMismatch,
}
