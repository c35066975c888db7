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

    /// <summary>
    /// The Node.js reference peer's script (<c>bench/peer-node/relay.js</c>); installs its one dependency with
    /// <c>npm ci</c> (from the committed lock file) when <c>node_modules</c> is missing.
    /// </summary>
    public static async Task<string> NodePeerAsync(CancellationToken token)
    {
        var dir = Path.Combine(Root(), "bench", "peer-node");
        var script = Path.Combine(dir, "relay.js");
        if (!File.Exists(script))
        {
            throw new FileNotFoundException("the Node.js reference peer is missing", script);
        }

        if (!Directory.Exists(Path.Combine(dir, "node_modules", "ws")))
        {
            Console.Error.WriteLine($"{dir}/node_modules is missing: running npm ci");
            var info = new ProcessStartInfo("npm") { WorkingDirectory = dir, UseShellExecute = false };
            foreach (var arg in new[] { "ci", "--no-audit", "--no-fund", "--silent" })
            {
                info.ArgumentList.Add(arg);
            }

            using var npm = Process.Start(info) ?? throw new InvalidOperationException("could not start npm (is Node.js 20+ installed?)");
            await npm.WaitForExitAsync(token);
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {dir} failed (exit {npm.ExitCode})");
            }
        }

        return script;
    }
}
