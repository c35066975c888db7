using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Tests.Control;

public sealed class SessionSigningKeyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchboard-unit", Guid.NewGuid().ToString("N"));

    private async Task<SqliteStore> OpenStoreAsync()
    {
        var store = new SqliteStore(Path.Combine(_directory, "keys.db"));
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task ResolveAsync_NoConfiguredKey_GeneratesOnceAndReusesIt()
    {
        var store = await OpenStoreAsync();

        var first = await SessionSigningKey.ResolveAsync(new SessionOptions(), store, CancellationToken.None);
        // A second node (or a restart) opening the same database.
        var second = await SessionSigningKey.ResolveAsync(new SessionOptions(), await OpenStoreAsync(), CancellationToken.None);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(Convert.ToBase64String(first), await store.GetSettingAsync(SessionSigningKey.SettingName, CancellationToken.None));
    }

    [Fact]
    public async Task ResolveAsync_ConfiguredKey_WinsAndIsNotStored()
    {
        var store = await OpenStoreAsync();
        var configured = Enumerable.Range(0, 48).Select(i => (byte)(255 - i)).ToArray();

        var key = await SessionSigningKey.ResolveAsync(new SessionOptions { SigningKey = Convert.ToBase64String(configured) }, store, CancellationToken.None);

        Assert.Equal(configured, key);
        Assert.Null(await store.GetSettingAsync(SessionSigningKey.SettingName, CancellationToken.None));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
