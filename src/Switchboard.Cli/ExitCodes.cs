namespace Switchboard.Cli;

/// <summary>Exit codes of the admin commands (keys, endpoints, calls, teams); documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Not found, conflict, authentication or another API error.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line, configuration or input (including validation errors and HTTP 400).</summary>
    public const int Usage = 2;

    /// <summary>The database (local mode) or the gateway (remote mode) cannot be reached.</summary>
    public const int Unavailable = 3;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Cancelled = 130;
}
