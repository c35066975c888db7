using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Cli.Admin;

namespace Switchboard.Cli.Commands;

/// <summary>
/// The options of <c>endpoints create</c> and <c>endpoints update</c>, turned into the API's request body: the
/// <c>--file</c> JSON first, then each option given on the command line replacing its field. Only what the
/// user gave is in the body, which is exactly what an update (a PATCH) should change.
/// </summary>
internal sealed class EndpointInputOptions
{
    /// <summary>Fields of <c>endpoints show</c> output the API does not accept back; dropped so show → edit → update works.</summary>
    private static readonly string[] ReadOnlyFields = ["id", "createdAt", "updatedAt"];

    public Option<FileInfo?> File { get; } = new("--file")
    {
        HelpName = "spec.json",
        Description = "JSON object with endpoint fields (as 'endpoints show' prints them); options below override it",
    };

    public Option<string?> Name { get; } = new("--name") { HelpName = "name", Description = "Endpoint name, unique in the team" };

    public Option<string?> Instructions { get; } = new("--instructions") { HelpName = "text", Description = "The agent's instructions (system prompt)" };

    public Option<string?> Voice { get; } = new("--voice") { HelpName = "voice", Description = "Output voice, e.g. marin or cedar" };

    public Option<string?> Greeting { get; } = new("--greeting") { HelpName = "text", Description = "What the agent says first (\"\" removes it)" };

    public Option<string?> Backend { get; } = new("--backend") { HelpName = "backend", Description = "default, openai, azure or local" };

    public Option<string?> Model { get; } = new("--model") { HelpName = "model", Description = "Model or Azure deployment (\"\" = the gateway's)" };

    public Option<string[]> Modes { get; } = new("--modes")
    {
        HelpName = "mode,…",
        Description = "Allowed interaction modes: text, audio_playback, voice_conversation, browser_actions, listen",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Carriers { get; } = new("--carriers")
    {
        HelpName = "carrier,…",
        Description = "Allowed transports: websocket, twilio, telnyx, sip",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Phone { get; } = new("--phone")
    {
        HelpName = "+E164",
        Description = "Phone number(s) whose calls land here (repeatable or comma-separated; replaces the list)",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> Default { get; } = new("--default") { Description = "Make this the team's default endpoint" };

    public Option<string?> ExternalId { get; } = new("--external-id")
    {
        HelpName = "id",
        Description = "The id your own system knows this endpoint by, e.g. an org id for /twiml/start?orgId= (unique per team; \"\" removes it)",
    };

    /// <summary>The <c>limits</c> options (<c>--max-call-seconds</c>, <c>--max-concurrent-calls</c>, …).</summary>
    public LimitInputOptions Limits { get; } = new(forEndpoint: true);

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { File, Name, Instructions, Voice, Greeting, Backend, Model, Modes, Carriers, Phone, Default, ExternalId })
        {
            command.Options.Add(option);
        }

        Limits.AddTo(command);
    }

    /// <summary>The request body: the file's object (read-only fields dropped), then the options given.</summary>
    public JsonObject BuildBody(ParseResult parse) => BuildBody(parse, out _);

    /// <summary>
    /// The request body, and whether its <c>limits</c> come from limit options alone (no <c>limits</c> in <c>--file</c>): the
    /// API replaces <c>limits</c> whole, so an update must lay those options over the endpoint's current limits.
    /// </summary>
    public JsonObject BuildBody(ParseResult parse, out bool limitsFromOptionsOnly)
    {
        var body = ReadFile(parse.GetValue(File));
        limitsFromOptionsOnly = false;
        if (Limits.AnyGiven(parse))
        {
            if (body["limits"] is not JsonObject limits)
            {
                if (body.ContainsKey("limits"))
                {
                    throw AdminException.Invalid("--file: \"limits\" must be an object to combine it with limit options");
                }

                limits = [];
                body["limits"] = limits;
                limitsFromOptionsOnly = true;
            }

            Limits.WriteInto(limits, parse);
        }

        SetString(body, "name", parse, Name, emptyIsNull: false);
        SetString(body, "instructions", parse, Instructions, emptyIsNull: false);
        SetString(body, "voice", parse, Voice, emptyIsNull: false);
        SetString(body, "greeting", parse, Greeting, emptyIsNull: true);
        SetString(body, "backend", parse, Backend, emptyIsNull: false);
        SetString(body, "model", parse, Model, emptyIsNull: true);
        SetList(body, "modes", parse, Modes);
        SetList(body, "carriers", parse, Carriers);
        SetList(body, "phoneNumbers", parse, Phone);
        SetString(body, "externalId", parse, ExternalId, emptyIsNull: true);
        if (parse.GetValue(Default))
        {
            body["isDefault"] = true;
        }

        return body;
    }

    private static JsonObject ReadFile(FileInfo? file)
    {
        if (file is null)
        {
            return [];
        }

        if (!file.Exists)
        {
            throw AdminException.Invalid($"--file: '{file.FullName}' not found");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(System.IO.File.ReadAllText(file.FullName), documentOptions: AdminJson.DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw AdminException.Invalid($"--file: '{file.Name}' is not valid JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not a storage failure: the user's file cannot be read.
            throw AdminException.Invalid($"--file: cannot read '{file.FullName}': {ex.Message}");
        }

        if (node is not JsonObject body)
        {
            throw AdminException.Invalid($"--file: '{file.Name}' must hold a JSON object of endpoint fields");
        }

        foreach (var field in ReadOnlyFields)
        {
            body.Remove(field);
        }

        return body;
    }

    private static void SetString(JsonObject body, string field, ParseResult parse, Option<string?> option, bool emptyIsNull)
    {
        if (parse.GetResult(option) is not { Implicit: false })
        {
            return;
        }

        var value = parse.GetValue(option);
        body[field] = emptyIsNull && string.IsNullOrEmpty(value) ? null : value ?? "";
    }

    private static void SetList(JsonObject body, string field, ParseResult parse, Option<string[]> option)
    {
        if (parse.GetResult(option) is not { Implicit: false })
        {
            return;
        }

        var items = (parse.GetValue(option) ?? [])
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => (JsonNode?)JsonValue.Create(v))
            .ToArray();
        body[field] = new JsonArray(items);
    }
}
