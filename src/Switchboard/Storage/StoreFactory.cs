using Switchboard.Artifacts;
using Switchboard.Configuration;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Storage;

/// <summary>Builds the configured store (options are validated before this runs).</summary>
internal static class StoreFactory
{
    public static SqlStore Create(StorageOptions options, CallPricing? pricing = null) => options.Provider switch
    {
        "postgres" => new PostgresStore(options.PostgresConnectionString!) { Pricing = pricing ?? CallPricing.Default },
        _ => new SqliteStore(options.SqlitePath) { Pricing = pricing ?? CallPricing.Default },
    };
}
