namespace Switchboard.IntegrationTests.Storage;

/// <summary>The test classes that share the run's one <see cref="PostgresServer"/> (started once, stopped when they are done).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
