using System.Diagnostics;

namespace Switchboard.IntegrationTests.Telemetry;

/// <summary>
/// Runs <c>promtool</c> (Debian package <c>prometheus</c>, installed by <c>.ci/run</c>). Missing, it fails the test under CI
/// (<c>CI</c> set) and outside it too: the check is the point of the test.
/// </summary>
internal static class Promtool
{
    public static string Path()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator).Append("/usr/bin"))
        {
            var candidate = System.IO.Path.Combine(dir, "promtool");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("promtool is not installed (apt-get install prometheus; .ci/run installs it)");
        return "";
    }

    /// <summary>Runs promtool with <paramref name="arguments"/>, <paramref name="input"/> on its standard input; returns the exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string input, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
