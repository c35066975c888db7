namespace Switchboard.Common;

/// <summary>
/// Why an admin operation (REST API or CLI local mode) refused: each front end maps it to its own signal, the
/// REST API to a problem+json status, the CLI to an exit code (docs/cli.md).
/// </summary>
internal enum AdminStatus
{
    /// <summary>The input breaks a rule; <see cref="AdminError.Errors"/> names each bad field (HTTP 400, exit 2).</summary>
    Invalid,

    /// <summary>No such key, endpoint, webhook or delivery in the team; another team's looks the same (HTTP 404, exit 1).</summary>
    NotFound,

    /// <summary>A name or phone number is taken, or the resource's state forbids the change (HTTP 409, exit 1).</summary>
    Conflict,

    /// <summary>The team's default endpoint cannot be deleted or stop being the default (HTTP 409, exit 1).</summary>
    DefaultEndpoint,
}
