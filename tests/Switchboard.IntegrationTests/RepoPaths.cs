namespace Switchboard.IntegrationTests;

/// <summary>Files of the repository the tests run from (samples, scenarios).</summary>
internal static class RepoPaths
{
    /// <summary>The absolute path of <paramref name="relative"/> from the repository root (the folder with Switchboard.slnx).</summary>
    public static string File(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("repository root"), relative);
    }
}
