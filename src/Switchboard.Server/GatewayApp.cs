namespace Switchboard.Server;

/// <summary>Builds and runs the Switchboard gateway host.</summary>
public static class GatewayApp
{
    /// <summary>Runs the gateway until shutdown is requested. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var app = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(args).Build();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
