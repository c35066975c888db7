using Microsoft.Extensions.Configuration;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The configuration sources of the gateway, in one place so that <c>switchboard serve</c> and the admin
/// commands (<c>switchboard keys …</c>, which open the same database without starting a host) read the same
/// settings: appsettings.json next to the binary, environment variables, the operator's <c>--config</c> file
/// (or <c>SWITCHBOARD_CONFIG</c>), then the vendor-style environment aliases.
/// </summary>
internal static class GatewayConfiguration
{
    /// <summary>The environment variable naming an extra JSON configuration file.</summary>
    public const string ConfigFileVariable = "SWITCHBOARD_CONFIG";

    /// <summary>
    /// Adds what the gateway layers over the host defaults: the operator's JSON file, then the aliases
    /// (<c>SWITCHBOARD_SQLITE_PATH</c>, <c>OPENAI_API_KEY</c>, …). A missing file is an error, not a silent default.
    /// </summary>
    public static void AddOperatorSources(IConfigurationBuilder configuration, string? configFile)
    {
        if (!string.IsNullOrEmpty(configFile))
        {
            configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        configuration.AddInMemoryCollection(EnvironmentAliases.Read());
    }

    /// <summary>
    /// Builds the configuration a gateway on this machine would see, without a host: the same files and
    /// environment as <see cref="GatewayApp.CreateBuilder"/> except the host's command line.
    /// </summary>
    /// <param name="configFile">The <c>--config</c> file; null falls back to <c>SWITCHBOARD_CONFIG</c>.</param>
    public static IConfigurationRoot BuildStandalone(string? configFile)
    {
        // WebApplication.CreateBuilder reads the environment name from these, in this order, default Production.
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? "Production";
        var builder = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddJsonFile($"appsettings.{environment}.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables();
        AddOperatorSources(builder, configFile ?? Environment.GetEnvironmentVariable(ConfigFileVariable));
        return builder.Build();
    }
}
