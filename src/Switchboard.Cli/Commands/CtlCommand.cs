using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Server.Hosting;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>switchboard ctl</c>: the operator's control of a running gateway's live calling (docs/telegram.md): <c>ctl status</c>,
/// <c>ctl call arm|disarm|status|hangup</c>, <c>ctl capabilities</c>. It talks to <c>--url</c> (or
/// <c>Switchboard:Realtime:ControlUrl</c>, default <c>http://127.0.0.1:5050</c>) with <c>REALTIME_CONTROL_SECRET</c> as a Bearer token.
/// </summary>
internal static class CtlCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var url = new Option<string?>("--url") { HelpName = "url", Description = "The gateway [default: Switchboard:Realtime:ControlUrl, else http://127.0.0.1:5050]" };
        var config = new Option<string?>("--config") { HelpName = "file", Description = "A JSON configuration file to read the control URL and secret from" };
        var json = new Option<bool>("--json") { Description = "Print the gateway's JSON answer" };
        Option[] common = [url, config, json];

        Command Leaf(string name, string description, HttpMethod method, string path, Action<TextWriter, JsonNode> print, Func<JsonNode, int>? exitCode = null)
        {
            var command = new Command(name, description);
            foreach (var option in common)
            {
                command.Options.Add(option);
            }

            command.SetAction((parse, ct) => RunAsync(parse, environment, parse.GetValue(url), parse.GetValue(config), parse.GetValue(json), method, path, print, exitCode, ct));
            return command;
        }

        var call = new Command("call", "Arm, disarm, inspect or hang up the Telegram call surface")
        {
            Leaf("arm", "Arm the call surface: allowed users can call (until it auto-disarms)", HttpMethod.Post, "/api/call/arm", PrintSurface),
            Leaf("disarm", "Disarm the call surface: new calls are refused with not_armed", HttpMethod.Post, "/api/call/disarm", PrintSurface),
            Leaf("status", "The surface (armed, thread, live call) and the readiness list", HttpMethod.Get, "/api/call/status", PrintCallStatus),
            Leaf("hangup", "Hang up the live call after the agent's goodbye", HttpMethod.Post, "/api/call/hangup",
                (w, n) => w.WriteLine(n["status"]?.GetValue<string>() == "ending" ? "Hanging up the live call." : "No call is live.")),
        };
        return new Command("ctl", "Operate a running gateway's live calling (REALTIME_CONTROL_SECRET)")
        {
            Leaf("status", "The gateway, its public origin, the bot and the call surface", HttpMethod.Get, "/api/ctl/status", PrintGatewayStatus),
            call,
            Leaf("capabilities", "The readiness list, each check with pass/fail and why (exit 1 when one fails)", HttpMethod.Get, "/api/capabilities",
                (w, n) => PrintChecks(w, n["checks"]), n => n["ready"]?.GetValue<bool>() == true ? ExitCodes.Ok : ExitCodes.Failed),
        };
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<string, string?> environment, string? url, string? configFile, bool json, HttpMethod method,
        string path, Action<TextWriter, JsonNode> print, Func<JsonNode, int>? exitCode, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var configuration = GatewayConfiguration.BuildStandalone(configFile);
        var baseUrl = url ?? environment("SWITCHBOARD_CONTROL_URL") ?? configuration["Switchboard:Realtime:ControlUrl"] ?? "http://127.0.0.1:5050";
        var secret = environment("REALTIME_CONTROL_SECRET") ?? configuration["Switchboard:Realtime:ControlSecret"];
        if (string.IsNullOrEmpty(secret))
        {
            await error.WriteLineAsync("error: REALTIME_CONTROL_SECRET is not set (the gateway's operator secret)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + path, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"error: --url must be an http(s) URL (got '{baseUrl}')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, target);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"error: cannot reach the gateway at {baseUrl}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Unavailable;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? body;
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = null;
            }

            if (!response.IsSuccessStatusCode || body is null)
            {
                var message = body?["message"]?.GetValue<string>() ?? $"the gateway answered {(int)response.StatusCode}";
                await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.NotFound ? ExitCodes.Unavailable : ExitCodes.Failed;
            }

            if (json)
            {
                await output.WriteLineAsync(body.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
            else
            {
                print(output, body);
            }

            return exitCode?.Invoke(body) ?? ExitCodes.Ok;
        }
    }

    private static void PrintSurface(TextWriter w, JsonNode? surface)
    {
        var armed = surface?["armed"]?.GetValue<bool>() == true;
        w.WriteLine($"bridge      {surface?["bridgeId"]}");
        w.WriteLine($"armed       {(armed ? "yes" : "no")}{(surface?["autoDisarmInSeconds"] is { } left ? $" (auto-disarms in {left} s)" : "")}");
        w.WriteLine($"thread      {surface?["threadId"]?.GetValue<string>() ?? "(none bound)"}");
        w.WriteLine($"control     {(surface?["controlConnected"]?.GetValue<bool>() == true ? "connected" : "not connected")}");
        var call = surface?["call"];
        w.WriteLine($"call        {(call is null ? "none" : $"{call["state"]} {call["callId"]?.GetValue<string>() ?? ""} (user {call["userId"]})".TrimEnd())}");
    }

    private static void PrintCallStatus(TextWriter w, JsonNode status)
    {
        PrintSurface(w, status);
        w.WriteLine();
        PrintChecks(w, status["checks"]);
    }

    private static void PrintGatewayStatus(TextWriter w, JsonNode status)
    {
        w.WriteLine($"live calls  {status["gateway"]?["liveCalls"]}{(status["gateway"]?["draining"]?.GetValue<bool>() == true ? " (draining)" : "")}");
        w.WriteLine($"realtime    {(status["realtimeEnabled"]?.GetValue<bool>() == true ? "enabled" : "disabled")}");
        w.WriteLine($"origin      {status["publicOrigin"]?["url"]?.GetValue<string>() ?? "(none)"} ({status["publicOrigin"]?["mode"]})");
        var bot = status["bot"];
        w.WriteLine($"bot         {(bot is null ? "(no token)" : $"@{bot["username"]?.GetValue<string>() ?? "?"}, {bot["mode"]}{(bot["polling"]?.GetValue<bool>() == true ? ", polling" : "")}")}");
        PrintSurface(w, status["surface"]);
    }

    private static void PrintChecks(TextWriter w, JsonNode? checks)
    {
        var list = checks?.AsArray() ?? [];
        var ready = list.All(c => c?["ok"]?.GetValue<bool>() == true);
        w.WriteLine(ready ? "Ready to call." : "Not ready to call.");
        foreach (var check in list)
        {
            w.WriteLine($"{(check?["ok"]?.GetValue<bool>() == true ? "✓" : "✗")} {check?["name"],-18} {check?["detail"]}");
        }
    }
}
