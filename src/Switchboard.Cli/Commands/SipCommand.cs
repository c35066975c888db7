using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Switchboard.Configuration;
using Switchboard.Server.Hosting;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>switchboard sip setup</c>: what an operator registers so the OpenAI or Azure Realtime SIP connector sends calls to this
/// gateway: the webhook (URL and event type), the SIP trunk's destination, and the credentials the gateway needs. For Azure,
/// whose webhooks are managed by REST only, <c>--apply</c> creates the webhook endpoint and stores the signing secret it
/// returns (shown once) in the gateway's configuration file. The secret is never printed.
/// </summary>
internal static class SipCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Builds the command group.</summary>
    public static Command Create()
    {
        var command = new Command("sip", "Phone calls through the OpenAI / Azure Realtime SIP connector (docs/sip.md)");
        command.Subcommands.Add(Setup());
        return command;
    }

    private static Command Setup()
    {
        var publicUrl = new Option<string?>("--public-url") { HelpName = "url", Description = "The gateway's public https URL [default: Switchboard:PublicBaseUrl / SWITCHBOARD_PUBLIC_URL]" };
        var endpoint = new Option<string?>("--endpoint-id") { HelpName = "uuid", Description = "Route the connector's calls to this endpoint (?endpointId= on the webhook URL)" };
        var provider = new Option<string?>("--provider") { HelpName = "openai|azure", Description = "Whose connector [default: the gateway's Switchboard:Sip:Provider]" };
        provider.AcceptOnlyFromAmong("openai", "azure");
        var config = new Option<FileInfo?>("--config") { HelpName = "file.json", Description = "The gateway's configuration file (read, and with --apply written) [default: $SWITCHBOARD_CONFIG]" };
        var apply = new Option<bool>("--apply") { Description = "Azure: create the webhook endpoint now and store its signing secret in --config (Switchboard:Sip:WebhookSecret)" };
        var name = new Option<string>("--name") { HelpName = "name", Description = "Azure: the webhook endpoint's name", DefaultValueFactory = _ => "switchboard" };
        var command = new Command("setup", "Print (and for Azure with --apply, do) what to register so the SIP connector reaches this gateway")
        {
            publicUrl, endpoint, provider, config, apply, name,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var configFile = parse.GetValue(config)?.FullName ?? NullIfEmpty(Environment.GetEnvironmentVariable(GatewayConfiguration.ConfigFileVariable));
            SwitchboardOptions options;
            try
            {
                options = GatewayConfiguration.BuildStandalone(configFile).GetSection(SwitchboardOptions.SectionName).Get<SwitchboardOptions>() ?? new SwitchboardOptions();
            }
            catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException or InvalidOperationException)
            {
                await stderr.WriteLineAsync("error: cannot read the configuration: " + ex.Message);
                return ExitCodes.Usage;
            }

            var which = parse.GetValue(provider) ?? options.Sip.EffectiveProvider(options);
            var baseUrl = (parse.GetValue(publicUrl) ?? options.PublicBaseUrl)?.TrimEnd('/');
            if (baseUrl is not null && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
            {
                await stderr.WriteLineAsync($"error: --public-url must be an absolute https URL (got '{baseUrl}')");
                return ExitCodes.Usage;
            }

            var endpointId = parse.GetValue(endpoint);
            if (endpointId is not null && !Guid.TryParse(endpointId, out _))
            {
                await stderr.WriteLineAsync("error: --endpoint-id must be an endpoint's UUID (switchboard endpoints list)");
                return ExitCodes.Usage;
            }

            var webhookUrl = (baseUrl ?? "https://<your-gateway>") + "/openai/webhook" + (endpointId is null ? "" : "?endpointId=" + endpointId);
            var request = new JsonObject { ["name"] = parse.GetValue(name), ["url"] = webhookUrl, ["event_types"] = new JsonArray("realtime.call.incoming") };
            Describe(stdout, options, which, webhookUrl, request, baseUrl is null);
            if (!parse.GetValue(apply))
            {
                return ExitCodes.Ok;
            }

            if (which != "azure")
            {
                await stdout.WriteLineAsync();
                await stdout.WriteLineAsync("--apply: OpenAI project webhooks are created in the dashboard; there is nothing to apply from here.");
                return ExitCodes.Ok;
            }

            if (baseUrl is null || configFile is null || string.IsNullOrEmpty(options.Azure.Endpoint) || string.IsNullOrEmpty(options.Azure.ApiKey))
            {
                await stderr.WriteLineAsync("error: --apply needs the public URL (--public-url), the gateway's configuration file to store the secret in (--config), " +
                    "and AZURE_OPENAI_ENDPOINT with AZURE_OPENAI_API_KEY");
                return ExitCodes.Usage;
            }

            return await ApplyAzureAsync(stdout, stderr, options.Azure, request, configFile, cancellationToken);
        });
        return command;
    }

    private static void Describe(TextWriter w, SwitchboardOptions options, string provider, string webhookUrl, JsonObject request, bool noPublicUrl)
    {
        w.WriteLine($"SIP connector set-up ({provider})");
        w.WriteLine();
        if (provider == "azure")
        {
            var resource = options.Azure.Endpoint?.TrimEnd('/') ?? "https://<resource>.openai.azure.com";
            w.WriteLine("1. Webhook endpoint (Azure manages them by REST only; --apply sends this):");
            w.WriteLine($"     POST {resource}/openai/v1/dashboard/webhook_endpoints");
            w.WriteLine("     api-key: <AZURE_OPENAI_API_KEY>");
            w.WriteLine("     " + request.ToJsonString());
            w.WriteLine("   Its response holds signing_secret, shown once: the gateway needs it as OPENAI_WEBHOOK_SECRET");
            w.WriteLine("   (Switchboard:Sip:WebhookSecret); --apply stores it in --config.");
            w.WriteLine("2. SIP trunk: send the calls to  sip:proj_<internal id>@<region>.sip.ai.azure.com;transport=tls");
            w.WriteLine("   (<internal id>: the resource's 32-hex internal id in its JSON view; regions: swedencentral, eastus2).");
            w.WriteLine("3. The gateway accepts calls with AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY; the model is the endpoint's, else");
            w.WriteLine("   AZURE_OPENAI_DEPLOYMENT (a deployment of gpt-realtime or another realtime model).");
        }
        else
        {
            w.WriteLine("1. Webhook (OpenAI dashboard: your project → Settings → Webhooks → Create):");
            w.WriteLine($"     URL           {webhookUrl}");
            w.WriteLine("     Event types   realtime.call.incoming");
            w.WriteLine("   Its signing secret (whsec_…, shown once) goes into OPENAI_WEBHOOK_SECRET (Switchboard:Sip:WebhookSecret).");
            w.WriteLine("2. SIP trunk: send the calls to  sip:<project id>@sip.api.openai.com;transport=tls");
            w.WriteLine("   (<project id> starts with proj_: Settings → Project → General).");
            w.WriteLine("3. The gateway accepts calls with OPENAI_API_KEY of that project (REST: OPENAI_BASE_URL, default https://api.openai.com/v1).");
        }

        w.WriteLine("4. Endpoints take SIP calls when their carriers include \"sip\"; the dialled number (To) picks the endpoint listing it,");
        w.WriteLine("   else ?endpointId= on the webhook URL, else the default endpoint.");
        w.WriteLine();
        var key = provider == "azure" ? options.Azure.ApiKey : options.OpenAI.ApiKey;
        w.WriteLine("This gateway now:");
        w.WriteLine($"  {"webhook URL",-18}{webhookUrl}{(noPublicUrl ? "   (set --public-url or SWITCHBOARD_PUBLIC_URL)" : "")}");
        w.WriteLine($"  {"webhook secret",-18}{(string.IsNullOrEmpty(options.Sip.WebhookSecret) ? "not set" : "set")}");
        w.WriteLine($"  {"API key",-18}{(string.IsNullOrEmpty(key) ? "not set" : "set")}");
        if (options.Sip.InsecureSkipSignature)
        {
            w.WriteLine($"  {"TEST_MODE",-18}on: signatures are NOT checked (loopback only; turn it off for real calls)");
        }
    }

    private static async Task<int> ApplyAzureAsync(TextWriter stdout, TextWriter stderr, AzureOpenAIOptions azure, JsonObject request, string configFile, CancellationToken cancellationToken)
    {
        var url = azure.Endpoint!.TrimEnd('/') + "/openai/v1/dashboard/webhook_endpoints";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(request.ToJsonString(), Encoding.UTF8) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation("api-key", azure.ApiKey);
        string body;
        int status;
        try
        {
            using var response = await http.SendAsync(message, cancellationToken);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"error: cannot reach {url}: {ex.Message}");
            return ExitCodes.Unavailable;
        }

        JsonNode? created = null;
        try
        {
            created = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
        }

        if (status is < 200 or > 299 || (string?)created?["signing_secret"] is not { Length: > 0 } secret)
        {
            var detail = (string?)created?["error"]?["message"] ?? (body.Length > 300 ? body[..300] : body);
            await stderr.WriteLineAsync($"error: Azure answered {status}: {detail}");
            return ExitCodes.Failed;
        }

        try
        {
            StoreSecret(configFile, secret);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"error: the webhook endpoint {(string?)created["id"]} was created, but its secret could not be stored in {configFile}: {ex.Message}. " +
                "Its secret is shown only once: delete the endpoint and run --apply again.");
            return ExitCodes.Failed;
        }

        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync($"Created webhook endpoint {(string?)created["id"]} ({(string?)created["signing_secret_hint"] ?? "whsec_…"}) for {(string?)created["url"]}.");
        await stdout.WriteLineAsync($"Its signing secret is stored in {configFile} (Switchboard:Sip:WebhookSecret); restart the gateway with --config {configFile}.");
        return ExitCodes.Ok;
    }

    /// <summary>Writes <c>Switchboard:Sip:WebhookSecret</c> into the JSON configuration file (created when missing, owner-only on Unix).</summary>
    internal static void StoreSecret(string configFile, string secret)
    {
        JsonObject root;
        if (File.Exists(configFile))
        {
            var existing = JsonNode.Parse(File.ReadAllText(configFile), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            root = existing as JsonObject ?? throw new InvalidOperationException("the file is not a JSON object");
        }
        else
        {
            root = [];
        }

        var switchboard = root["Switchboard"] as JsonObject ?? (JsonObject)(root["Switchboard"] = new JsonObject());
        var sip = switchboard["Sip"] as JsonObject ?? (JsonObject)(switchboard["Sip"] = new JsonObject());
        sip["WebhookSecret"] = secret;
        var temporary = configFile + ".tmp";
        File.WriteAllText(temporary, root.ToJsonString(Indented));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, configFile, overwrite: true);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
