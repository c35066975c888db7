using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public class StorageOptionsValidationTests
{
    private static List<string> Errors(StorageOptions storage) =>
        SwitchboardOptionsValidator.Collect(new SwitchboardOptions { Storage = storage }).ToList();

    [Fact]
    public void Collect_DefaultSqlite_IsValid() => Assert.Empty(Errors(new StorageOptions()));

    [Fact]
    public void Collect_PostgresWithConnectionString_IsValid() =>
        Assert.Empty(Errors(new StorageOptions { Provider = "postgres", PostgresConnectionString = "Host=db;Database=switchboard;Username=sb;Password=secret" }));

    [Fact]
    public void Collect_UnknownProvider_NamesKeyValueAndVariable()
    {
        var error = Assert.Single(Errors(new StorageOptions { Provider = "mysql" }));
        Assert.Contains("Switchboard:Storage:Provider", error, StringComparison.Ordinal);
        Assert.Contains("'mysql'", error, StringComparison.Ordinal);
        Assert.Contains("SWITCHBOARD_STORAGE", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Collect_PostgresWithoutConnectionString_NamesKeyExampleAndVariable(string? connectionString)
    {
        var error = Assert.Single(Errors(new StorageOptions { Provider = "postgres", PostgresConnectionString = connectionString }));
        Assert.Contains("Switchboard:Storage:PostgresConnectionString", error, StringComparison.Ordinal);
        Assert.Contains("Host=", error, StringComparison.Ordinal);
        Assert.Contains("SWITCHBOARD_POSTGRES", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not a connection string")]
    [InlineData("Host=db;Colour=blue;Password=hunter2")]
    [InlineData("Database=switchboard;Password=hunter2")]
    [InlineData("Host=db;Port=hunter2")]
    [InlineData("Host=db;Port=99999999999;Password=hunter2")]
    [InlineData("Host=db;Pooling=hunter2")]
    public void Collect_PostgresMalformedConnectionString_ReportsTheKeyWithoutEchoingIt(string connectionString)
    {
        var error = Assert.Single(Errors(new StorageOptions { Provider = "postgres", PostgresConnectionString = connectionString }));
        Assert.Contains("Switchboard:Storage:PostgresConnectionString", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Collect_SqliteWithoutPath_NamesTheKey(string path)
    {
        var error = Assert.Single(Errors(new StorageOptions { SqlitePath = path }));
        Assert.Contains("Switchboard:Storage:SqlitePath", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_PostgresProvider_IgnoresAnEmptySqlitePath() =>
        Assert.Empty(Errors(new StorageOptions { Provider = "postgres", SqlitePath = "", PostgresConnectionString = "Host=db" }));
}
