using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Cli;

/// <summary><c>switchboard sip setup</c>: what to register for OpenAI and Azure, and Azure's <c>--apply</c> against a fake of its REST API.</summary>
public class SipSetupCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("switchboard-sip-setup-").FullName;

    [Fact]
    public async Task OpenAI_PrintsTheWebhookUrlEventAndTrunk_AndWhatIsMissing()
    {
        var config = Write("openai.json", """{ "Switchboard": { "PublicBaseUrl": "https://gw.example.com", "OpenAI": { "ApiKey": "sk-x" } } }""");

        var run = await CliRun.InvokeAsync(null, "sip", "setup", "--config", config, "--endpoint-id", "e9d90000-0000-4000-8000-000000000002");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("SIP connector set-up (openai)", run.Out, StringComparison.Ordinal);
        Assert.Contains("https://gw.example.com/openai/webhook?endpointId=e9d90000-0000-4000-8000-000000000002", run.Out, StringComparison.Ordinal);
        Assert.Contains("realtime.call.incoming", run.Out, StringComparison.Ordinal);
        Assert.Contains("sip:<project id>@sip.api.openai.com;transport=tls", run.Out, StringComparison.Ordinal);
        Assert.Contains("webhook secret    not set", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-x", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_Apply_CreatesTheWebhookEndpoint_StoresTheSecretInTheConfig_NeverPrintsIt()
    {
        await using var azure = await LoopbackServer.StartAsync(app => app.MapPost("/openai/v1/dashboard/webhook_endpoints", async (HttpContext context) =>
        {
            var request = (await JsonNode.ParseAsync(context.Request.Body))!;
            return Results.Json(new JsonObject
            {
                ["id"] = "wh_az_1",
                ["object"] = "webhook.endpoint",
                ["created_at"] = 1,
                ["event_types"] = request["event_types"]!.DeepClone(),
                ["name"] = request["name"]!.DeepClone(),
                ["signing_secret"] = "whsec_c2VjcmV0LWZyb20tYXp1cmU=",
                ["signing_secret_hint"] = "whsec_...ZT0=",
                ["url"] = request["url"]!.DeepClone(),
            });
        }));
        var config = Write("azure.json", $$"""
            {
              // the operator's file: comments are allowed
              "Switchboard": { "PublicBaseUrl": "https://gw.example.com",
                "Azure": { "Endpoint": "{{azure.BaseUrl}}", "ApiKey": "azure-key", "Deployment": "rt" } }
            }
            """);

        var run = await CliRun.InvokeAsync(null, "sip", "setup", "--config", config, "--apply");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("SIP connector set-up (azure)", run.Out, StringComparison.Ordinal);
        Assert.Contains("Created webhook endpoint wh_az_1", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0LWZyb20tYXp1cmU", run.Out + run.Error, StringComparison.Ordinal);
        var request = Assert.Single(azure.Requests);
        Assert.Equal("azure-key", request.Headers["api-key"]);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("https://gw.example.com/openai/webhook", (string?)body["url"]);
        Assert.Equal("realtime.call.incoming", (string?)body["event_types"]![0]);
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(config))!;
        Assert.Equal("whsec_c2VjcmV0LWZyb20tYXp1cmU=", (string?)stored["Switchboard"]!["Sip"]!["WebhookSecret"]);
        Assert.Equal("rt", (string?)stored["Switchboard"]!["Azure"]!["Deployment"]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        }

        // Run again: the gateway now has a secret.
        var again = await CliRun.InvokeAsync(null, "sip", "setup", "--config", config);
        Assert.Contains("webhook secret    set", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_ApplyWithoutAPublicUrl_IsAUsageError()
    {
        var config = Write("bare.json", """{ "Switchboard": { "Azure": { "Endpoint": "https://r.openai.azure.com", "ApiKey": "k" } } }""");

        var run = await CliRun.InvokeAsync(null, "sip", "setup", "--config", config, "--apply");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--public-url", run.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }
}
