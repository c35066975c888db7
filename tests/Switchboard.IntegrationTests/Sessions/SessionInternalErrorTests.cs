using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.RateLimiting;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// Close code 4500 (issue 17): a genuine failure inside the gateway while it admits a session connection — the database
/// loses the sessions table under the running gateway, so reading the session throws — closes the socket with 4500
/// <c>internal error</c> and logs the failure.
/// </summary>
public class SessionInternalErrorTests
{
    [Fact]
    public async Task Connect_StoreFailsReadingTheSession_Closes4500InternalError_AndLogsIt()
    {
        var logs = new LogCapture();
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings(), builder => builder.Services.AddSingleton<ILoggerProvider>(logs));
        var created = await SessionApi.CreateSessionAsync(gateway, await SessionApi.CreateKeyAsync(gateway));

        // Another process's hand on the database: the table the admission reads is gone (a real SqliteException follows).
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(gateway.DataDir, "switchboard.db")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var rename = db.CreateCommand();
            rename.CommandText = "ALTER TABLE sessions RENAME TO sessions_away";
            await rename.ExecuteNonQueryAsync();
        }

        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        Assert.Equal(4500, await client.WaitForCloseAsync());
        Assert.Equal("internal error", client.CloseDescription);
        Assert.Single(logs.Lines, l => l.EventId == Switchboard.Diagnostics.EventIds.SessionWebSocketFailed);
    }
}
