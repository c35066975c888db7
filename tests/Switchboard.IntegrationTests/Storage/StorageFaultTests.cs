using System.Net;
using System.Text.Json;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>
/// Issue 21, part 3 (while running): the SQLite file deleted, made read-only or replaced under a running gateway turns
/// <c>/health/ready</c> and <c>/health</c> 503 naming the failing check, and 200 again once it is put right.
/// </summary>
public class StorageFaultTests
{
    [Fact]
    public async Task DatabaseFileMissing_Is503NamingIt_AndRecovers()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var db = DatabasePath(gateway);
        await ExpectAsync(http, HttpStatusCode.OK, null);

        File.Move(db, db + ".away");
        await ExpectAsync(http, HttpStatusCode.ServiceUnavailable, "database: missing");

        File.Move(db + ".away", db);
        await ExpectAsync(http, HttpStatusCode.OK, null);
    }

    [Fact]
    public async Task DatabaseFileReadOnly_Is503NamingIt_AndRecovers()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var db = DatabasePath(gateway);
        await ExpectAsync(http, HttpStatusCode.OK, null);
        var mode = File.GetUnixFileMode(db);

        File.SetUnixFileMode(db, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await ExpectAsync(http, HttpStatusCode.ServiceUnavailable, "database: read-only");

        File.SetUnixFileMode(db, mode);
        await ExpectAsync(http, HttpStatusCode.OK, null);
    }

    [Fact]
    public async Task DatabaseFileReplaced_Is503NamingIt_AndRecovers()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var db = DatabasePath(gateway);
        await ExpectAsync(http, HttpStatusCode.OK, null);

        File.Move(db, db + ".away");
        await File.WriteAllTextAsync(db, "this is not the gateway's database, it is a much longer text than a database header would be");
        await ExpectAsync(http, HttpStatusCode.ServiceUnavailable, "database: replaced");

        File.Delete(db);
        File.Move(db + ".away", db);
        await ExpectAsync(http, HttpStatusCode.OK, null);
    }

    private static string DatabasePath(GatewayFixture gateway) => Path.Combine(gateway.DataDir, "switchboard.db");

    /// <summary>Polls <c>/health/ready</c> (and checks <c>/health</c> agrees) until it answers <paramref name="status"/>, within 5 s.</summary>
    private static async Task ExpectAsync(HttpClient http, HttpStatusCode status, string? failing)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            using var ready = await http.GetAsync("/health/ready");
            var last = $"{(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}";
            if (ready.StatusCode == status)
            {
                var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
                var checks = body.GetProperty("failing").EnumerateArray().Select(c => c.GetString()).ToList();
                if (failing is null)
                {
                    Assert.Empty(checks);
                }
                else
                {
                    Assert.Contains(failing, checks);
                }

                using var health = await http.GetAsync("/health");
                Assert.Equal(status, health.StatusCode);
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"expected {(int)status} naming '{failing}', last answer {last}");
            await Task.Delay(200);
        }
    }
}
