using System.Diagnostics;

namespace Switchboard.LoadGen;

/// <summary>Finds the repository and the gateway's CLI build, building it when it is missing.</summary>
internal static class RepositoryPaths
{
    public static string Root()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Switchboard.slnx not found above the current directory; run from the repository");
    }

    public static async Task<string> GatewayDllAsync(string? explicitPath, CancellationToken token)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new FileNotFoundException("gateway dll not found", explicitPath);
        }

        var root = Root();
        var dll = Path.Combine(root, "src", "Switchboard.Cli", "bin", "Release", "net10.0", "Switchboard.Cli.dll");
        if (File.Exists(dll))
        {
            return dll;
        }

        Console.Error.WriteLine($"{dll} is missing: running dotnet build src/Switchboard.Cli -c Release");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false };
        foreach (var arg in new[] { "build", "src/Switchboard.Cli", "-c", "Release", "--nologo", "-v", "quiet" })
        {
            info.ArgumentList.Add(arg);
        }

        using var build = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet build");
        await build.WaitForExitAsync(token);
        return build.ExitCode == 0 && File.Exists(dll) ? dll : throw new InvalidOperationException($"dotnet build failed (exit {build.ExitCode})");
    }
}
