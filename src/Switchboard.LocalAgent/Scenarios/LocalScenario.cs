using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Configuration;

namespace Switchboard.LocalAgent.Scenarios;

/// <summary>
/// A script for the local agent in <see cref="LocalAgentMode.Scripted"/> mode, loaded from JSON
/// (format in docs/local-backend.md). Loading validates everything, WAV files included, so a bad
/// scenario stops the gateway at start-up with a message naming the file and the JSON path.
/// </summary>
internal sealed class LocalScenario
{
    /// <summary>Longest tone a scripted reply plays.</summary>
    public const int MaxToneMs = 8000;

    /// <summary>Tone length per character of reply text.</summary>
    public const int ToneMsPerCharacter = 60;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private LocalScenario(string sourcePath, string? name, LocalScenarioReply? greeting, IReadOnlyList<LocalScenarioReply> turns, LocalAfterLastTurn afterLastTurn)
    {
        SourcePath = sourcePath;
        Name = name;
        Greeting = greeting;
        Turns = turns;
        AfterLastTurn = afterLastTurn;
    }

    /// <summary>The file the scenario came from.</summary>
    public string SourcePath { get; }

    /// <summary>Optional name, for logs.</summary>
    public string? Name { get; }

    /// <summary>Spoken by the first response when it comes before any caller input; null for none.</summary>
    public LocalScenarioReply? Greeting { get; }

    /// <summary>Replies to caller turns, in order.</summary>
    public IReadOnlyList<LocalScenarioReply> Turns { get; }

    /// <summary>What happens after the last turn.</summary>
    public LocalAfterLastTurn AfterLastTurn { get; }

    /// <summary>Tone length for a reply text: about 60 ms per character, between 300 ms and 8 s.</summary>
    public static int ToneMsFor(string? text) =>
        string.IsNullOrEmpty(text) ? 1000 : Math.Clamp(text.Length * ToneMsPerCharacter, 300, MaxToneMs);

    /// <summary>Loads and validates a scenario file; relative WAV paths resolve against the file's folder.</summary>
    /// <exception cref="LocalScenarioException">The file is missing, is not valid JSON, or does not follow the format.</exception>
    public static LocalScenario Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        string json;
        try
        {
            json = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LocalScenarioException(fullPath, "$", "cannot be read: " + ex.Message, ex);
        }

        return Parse(json, Path.GetDirectoryName(fullPath) ?? ".", fullPath);
    }

    /// <summary>Parses scenario JSON; <paramref name="sourceName"/> names it in error messages.</summary>
    public static LocalScenario Parse(string json, string baseDirectory, string sourceName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $"$ (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "$";
            throw new LocalScenarioException(sourceName, where, "is not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            return new Reader(sourceName, baseDirectory).ReadScenario(document.RootElement);
        }
    }

    /// <summary>Walks the document, tracking JSON paths for error messages.</summary>
    private sealed class Reader(string source, string baseDirectory)
    {
        public LocalScenario ReadScenario(JsonElement root)
        {
            RequireObject(root, "$");
            string? name = null;
            LocalScenarioReply? greeting = null;
            List<LocalScenarioReply>? turns = null;
            var after = LocalAfterLastTurn.Echo;
            foreach (var property in root.EnumerateObject())
            {
                var path = "$." + property.Name;
                switch (property.Name)
                {
                    case "name":
                    case "description":
                        var text = RequireString(property.Value, path);
                        if (property.Name == "name")
                        {
                            name = text;
                        }

                        break;
                    case "greeting":
                        greeting = property.Value.ValueKind == JsonValueKind.Null ? null : ReadReply(property.Value, path, allowThen: false);
                        break;
                    case "turns":
                        turns = ReadTurns(property.Value, path);
                        break;
                    case "after_last_turn":
                        after = RequireString(property.Value, path) switch
                        {
                            "echo" => LocalAfterLastTurn.Echo,
                            "repeat_last" => LocalAfterLastTurn.RepeatLast,
                            "silence" => LocalAfterLastTurn.Silence,
                            var other => throw Fail(path, $"'{other}' is not one of \"echo\", \"repeat_last\", \"silence\""),
                        };
                        break;
                    default:
                        throw Fail(path, "unknown property (expected name, description, greeting, turns, after_last_turn)");
                }
            }

            if (turns is null)
            {
                throw Fail("$.turns", "is required (an array of replies, which may be empty)");
            }

            return new LocalScenario(source, name, greeting, turns, after);
        }

        private List<LocalScenarioReply> ReadTurns(JsonElement value, string path)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw Fail(path, $"must be an array of replies, not {Describe(value)}");
            }

            var turns = new List<LocalScenarioReply>();
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                turns.Add(ReadReply(item, $"{path}[{index}]", allowThen: true));
                index++;
            }

            return turns;
        }

        private LocalScenarioReply ReadReply(JsonElement value, string path, bool allowThen)
        {
            RequireObject(value, path);
            string? text = null;
            LocalAudioSource? audio = null;
            LocalScenarioFunctionCall? call = null;
            LocalScenarioReply? then = null;
            var thenPath = path + ".then";
            foreach (var property in value.EnumerateObject())
            {
                var propertyPath = path + "." + property.Name;
                switch (property.Name)
                {
                    case "text":
                        text = RequireString(property.Value, propertyPath);
                        break;
                    case "audio":
                        audio = ReadAudio(property.Value, propertyPath);
                        break;
                    case "function_call":
                        call = ReadFunctionCall(property.Value, propertyPath);
                        break;
                    case "then":
                        if (!allowThen)
                        {
                            throw Fail(propertyPath, "is only allowed on a turn that makes a function call");
                        }

                        then = ReadReply(property.Value, propertyPath, allowThen: true);
                        break;
                    default:
                        throw Fail(propertyPath, "unknown property (expected text, audio, function_call, then)");
                }
            }

            if (then is not null && call is null)
            {
                throw Fail(thenPath, "needs a function_call on the same reply: it is spoken after the call's output arrives");
            }

            if (call is not null && !allowThen)
            {
                throw Fail(path + ".function_call", "is not allowed in the greeting");
            }

            if (text is null && audio is null && call is null)
            {
                throw Fail(path, "needs at least one of text, audio or function_call");
            }

            // Text without an audio source is spoken as a tone, so audio-mode callers still hear something.
            if (text is not null && audio is null)
            {
                audio = LocalAudioSource.Tone;
            }

            return new LocalScenarioReply(text, audio, call, then);
        }

        private LocalAudioSource ReadAudio(JsonElement value, string path)
        {
            var text = RequireString(value, path);
            switch (text)
            {
                case "echo":
                    return LocalAudioSource.Echo;
                case "tone":
                    return LocalAudioSource.Tone;
                case "chime":
                    return LocalAudioSource.Chime;
                case "none":
                    return LocalAudioSource.None;
            }

            if (!text.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(path, $"'{text}' is not \"echo\", \"tone\", \"chime\", \"none\" or a path ending in .wav");
            }

            var fullPath = Path.GetFullPath(Path.Combine(baseDirectory, text));
            if (!File.Exists(fullPath))
            {
                throw Fail(path, $"WAV file '{fullPath}' does not exist");
            }

            WavAudio wav;
            try
            {
                wav = WavFile.Read(fullPath);
            }
            catch (Exception ex)
            {
                throw Fail(path, $"WAV file '{fullPath}' cannot be read: {ex.Message}", ex);
            }

            if (wav.SampleRate is not (8000 or 16000 or 24000))
            {
                throw Fail(path, $"WAV file '{fullPath}' is {wav.SampleRate} Hz; use 8000, 16000 or 24000 Hz mono 16-bit PCM");
            }

            return new LocalAudioSource(LocalAudioSourceKind.Wav, fullPath, wav);
        }

        private LocalScenarioFunctionCall ReadFunctionCall(JsonElement value, string path)
        {
            RequireObject(value, path);
            string? name = null;
            string? arguments = null;
            foreach (var property in value.EnumerateObject())
            {
                var propertyPath = path + "." + property.Name;
                switch (property.Name)
                {
                    case "name":
                        name = RequireString(property.Value, propertyPath);
                        if (name.Length == 0)
                        {
                            throw Fail(propertyPath, "must not be empty");
                        }

                        break;
                    case "arguments":
                        arguments = ReadArguments(property.Value, propertyPath);
                        break;
                    default:
                        throw Fail(propertyPath, "unknown property (expected name, arguments)");
                }
            }

            if (name is null)
            {
                throw Fail(path + ".name", "is required");
            }

            return new LocalScenarioFunctionCall(name, arguments ?? "{}");
        }

        private string ReadArguments(JsonElement value, string path)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    // Compact form, as a model would stream it.
                    return JsonSerializer.Serialize(value);
                case JsonValueKind.String:
                    var text = value.GetString()!;
                    try
                    {
                        using var parsed = JsonDocument.Parse(text);
                        if (parsed.RootElement.ValueKind != JsonValueKind.Object)
                        {
                            throw Fail(path, "must be a JSON object (or a string holding one)");
                        }
                    }
                    catch (JsonException ex)
                    {
                        throw Fail(path, "is a string but not valid JSON: " + ex.Message, ex);
                    }

                    return text;
                default:
                    throw Fail(path, $"must be a JSON object (or a string holding one), not {Describe(value)}");
            }
        }

        private void RequireObject(JsonElement value, string path)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw Fail(path, $"must be an object, not {Describe(value)}");
            }
        }

        private string RequireString(JsonElement value, string path) =>
            value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw Fail(path, $"must be a string, not {Describe(value)}");

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };

        private LocalScenarioException Fail(string path, string problem, Exception? inner = null) =>
            new(source, path, problem, inner);
    }
}
