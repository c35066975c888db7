using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.IntegrationTests.Drain;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// <c>scripts/cluster.sh</c> (docs/cluster.md): <c>up</c> starts redis-server, PostgreSQL, three gateway processes and HAProxy
/// and prints one line per process once all are healthy; a demo call goes through the balancer; <c>down</c> stops every process
/// <c>up</c> started, and a second <c>down</c> is harmless.
/// </summary>
public sealed partial class ClusterScriptTests
{
    private static readonly string[] Names = ["lb", "node1", "node2", "node3", "redis", "postgres"];

    [GeneratedRegex(@"^(lb|node[123]) http://127\.0\.0\.1:(\d+)$|^(redis|postgres) 127\.0\.0\.1:(\d+)$")]
    private static partial Regex Line();

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string dir, string command, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.File(".") };
        start.ArgumentList.Add(RepoPaths.File("scripts/cluster.sh"));
        start.ArgumentList.Add(command);
        start.Environment["SWITCHBOARD_CLUSTER_DIR"] = dir;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static bool Running(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture))
        && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);

    [Fact]
    public async Task UpPrintsEveryProcess_ADemoCallGoesThroughTheBalancer_DownStopsThemAll()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchboard-cluster-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var (exit, output, errors) = await RunAsync(dir, "up", TimeSpan.FromMinutes(5));
            Assert.True(exit == 0, $"up exited {exit}:\n{output}\n{errors}");
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(Names, lines.Select(l => l.Split(' ')[0]));
            Assert.All(lines, l => Assert.Matches(Line(), l));
            var urls = lines.ToDictionary(l => l.Split(' ')[0], l => l.Split(' ')[1]);
            Assert.Equal(6, urls.Values.Select(u => u[(u.LastIndexOf(':') + 1)..]).Distinct().Count());

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var name in new[] { "lb", "node1", "node2", "node3" })
            {
                using var health = await http.GetAsync(urls[name] + "/health/ready");
                var body = await health.Content.ReadAsStringAsync();
                Assert.True(health.StatusCode == HttpStatusCode.OK, $"{name}: {body}");
                var dependencies = JsonDocument.Parse(body).RootElement.GetProperty("dependencies");
                Assert.Equal("ok", dependencies.GetProperty("redis").GetProperty("state").GetString());
                Assert.Equal("postgres", dependencies.GetProperty("database").GetProperty("provider").GetString());
            }

            foreach (var name in new[] { "redis", "postgres" })
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, int.Parse(urls[name].Split(':')[1], CultureInfo.InvariantCulture));
            }

            // A demo call through HAProxy: the session is created by one node and its socket runs on one (maybe another).
            using var created = await http.PostAsync(urls["lb"] + "/demo/sessions", new StringContent("""{"mode":"audio_playback"}""", Encoding.UTF8, "application/json"));
            var session = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.Created, session);
            var wsUrl = JsonDocument.Parse(session).RootElement.GetProperty("wsUrl").GetString()!;
            Assert.StartsWith("ws" + urls["lb"]["http".Length..] + "/", wsUrl, StringComparison.Ordinal);
            await using (var call = await LiveSession.StartAsync(wsUrl, Stopwatch.StartNew()))
            {
                var live = 0;
                foreach (var node in new[] { "node1", "node2", "node3" })
                {
                    live += JsonDocument.Parse(await http.GetStringAsync(urls[node] + "/health/ready")).RootElement.GetProperty("activeCalls").GetInt32();
                }

                Assert.Equal(1, live);
            }

            var pids = Directory.GetFiles(Path.Combine(dir, "pids"), "*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(6, pids.Count);
            Assert.All(pids, pid => Assert.True(Running(pid), $"pid {pid} is not running after up"));

            (exit, output, errors) = await RunAsync(dir, "down", TimeSpan.FromMinutes(2));
            Assert.True(exit == 0, $"down exited {exit}:\n{output}\n{errors}");
            Assert.All(pids, pid => Assert.False(Running(pid), $"pid {pid} is still running after down"));
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "pids"), "*.pid"));

            (exit, _, errors) = await RunAsync(dir, "down", TimeSpan.FromMinutes(1));
            Assert.True(exit == 0, "a second down failed: " + errors);
        }
        finally
        {
            if (Directory.Exists(Path.Combine(dir, "pids")))
            {
                await RunAsync(dir, "down", TimeSpan.FromMinutes(2));
            }

            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
