namespace Switchboard.Cli.Admin;

/// <summary>Why an admin operation failed; decides the exit code.</summary>
internal enum AdminErrorKind
{
    /// <summary>The command line or the request was invalid (bad option, validation error, HTTP 400).</summary>
    Invalid,

    /// <summary>No such key, endpoint, call or team (or another team's: it looks the same).</summary>
    NotFound,

    /// <summary>A duplicate name or phone number, or deleting the default endpoint (HTTP 409).</summary>
    Conflict,

    /// <summary>The API key is missing, unknown or revoked (HTTP 401).</summary>
    Unauthorized,

    /// <summary>The API key lacks the scope (HTTP 403).</summary>
    Forbidden,

    /// <summary>The database or the gateway cannot be reached (HTTP 502-504, connection refused, timeout).</summary>
    Unavailable,

    /// <summary>Any other API error.</summary>
    Failed,
}
