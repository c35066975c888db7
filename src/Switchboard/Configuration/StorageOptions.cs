namespace Switchboard.Configuration;

/// <summary>Durable storage (section <c>Switchboard:Storage</c>).</summary>
public sealed record StorageOptions
{
    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c>.</summary>
    public string Provider { get; init; } = "sqlite";

    /// <summary>SQLite database file. Relative paths resolve against the working directory.</summary>
    public string SqlitePath { get; init; } = "data/switchboard.db";

    /// <summary>Npgsql connection string, required when <see cref="Provider"/> is <c>postgres</c> (env alias <c>SWITCHBOARD_POSTGRES</c>).</summary>
    public string? PostgresConnectionString { get; init; }
}
