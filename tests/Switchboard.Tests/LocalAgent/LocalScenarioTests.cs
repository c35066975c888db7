using System.Text.Json;
using Switchboard.Audio;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.Tests.LocalAgent;

public sealed class LocalScenarioTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-scenario-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Parse_FullScenario_ReadsEveryPart()
    {
        var scenario = Parse("""
            {
              // Comments and trailing commas are allowed: these files are written by hand.
              "name": "demo",
              "description": "what it is for",
              "greeting": { "text": "Hello.", "audio": "chime" },
              "turns": [
                { "text": "You said something.", "audio": "echo" },
                { "text": "Let me check.", "function_call": { "name": "lookup", "arguments": { "id": 7, "tags": ["a"] } },
                  "then": { "text": "Found it." } },
                { "function_call": { "name": "hang_up", "arguments": "{\"reason\": \"done\"}" } },
                { "text": "Only words.", "audio": "none" },
              ],
              "after_last_turn": "repeat_last",
            }
            """);

        Assert.Equal("demo", scenario.Name);
        Assert.Equal("Hello.", scenario.Greeting!.Text);
        Assert.Equal(LocalAudioSourceKind.Chime, scenario.Greeting.Audio!.Kind);
        Assert.Equal(4, scenario.Turns.Count);
        Assert.Equal(LocalAudioSourceKind.Echo, scenario.Turns[0].Audio!.Kind);

        var call = scenario.Turns[1];
        Assert.True(call.HasMessage);
        Assert.Equal("lookup", call.FunctionCall!.Name);
        Assert.Equal("""{"id":7,"tags":["a"]}""", call.FunctionCall.Arguments);
        Assert.Equal("Found it.", call.Then!.Text);
        Assert.Equal(LocalAudioSourceKind.Tone, call.Then.Audio!.Kind); // text without audio is spoken as a tone

        Assert.False(scenario.Turns[2].HasMessage);
        Assert.Equal("{\"reason\": \"done\"}", scenario.Turns[2].FunctionCall!.Arguments);
        Assert.Equal(LocalAudioSourceKind.None, scenario.Turns[3].Audio!.Kind);
        Assert.Equal(LocalAfterLastTurn.RepeatLast, scenario.AfterLastTurn);
    }

    [Fact]
    public void Parse_Minimal_DefaultsToEchoAfterLastTurn()
    {
        var scenario = Parse("""{ "turns": [] }""");
        Assert.Null(scenario.Greeting);
        Assert.Empty(scenario.Turns);
        Assert.Equal(LocalAfterLastTurn.Echo, scenario.AfterLastTurn);
    }

    [Theory]
    [InlineData("""{ "turns": [ { "txt": "typo" } ] }""", "$.turns[0].txt", "unknown property")]
    [InlineData("""{ "turns": [ { "text": "hi", "audio": "loud" } ] }""", "$.turns[0].audio", "'loud' is not")]
    [InlineData("""{ "turns": [ { "text": 5 } ] }""", "$.turns[0].text", "must be a string, not a number")]
    [InlineData("""{ "turns": [ {} ] }""", "$.turns[0]", "needs at least one of text, audio or function_call")]
    [InlineData("""{ "turns": [ { "text": "a", "then": { "text": "b" } } ] }""", "$.turns[0].then", "needs a function_call")]
    [InlineData("""{ "turns": [ { "function_call": { "arguments": {} } } ] }""", "$.turns[0].function_call.name", "is required")]
    [InlineData("""{ "turns": [ { "function_call": { "name": "f", "arguments": "not json" } } ] }""", "$.turns[0].function_call.arguments", "not valid JSON")]
    [InlineData("""{ "turns": [ { "function_call": { "name": "f", "arguments": [1] } } ] }""", "$.turns[0].function_call.arguments", "must be a JSON object")]
    [InlineData("""{ "greeting": { "function_call": { "name": "f" } }, "turns": [] }""", "$.greeting.function_call", "not allowed in the greeting")]
    [InlineData("""{ "turns": [], "after_last_turn": "dance" }""", "$.after_last_turn", "'dance' is not one of")]
    [InlineData("""{ "greeting": { "text": "hi" } }""", "$.turns", "is required")]
    [InlineData("""[ 1, 2 ]""", "$", "must be an object, not an array")]
    [InlineData("""{ "turns": [ { "text": "hi", "audio": "missing.wav" } ] }""", "$.turns[0].audio", "does not exist")]
    public void Parse_Malformed_NamesFileAndJsonPath(string json, string path, string problem)
    {
        var error = Assert.Throws<LocalScenarioException>(() => Parse(json));
        Assert.Equal(path, error.JsonPath);
        Assert.Equal("scenario.json", error.FilePath);
        Assert.StartsWith($"Scenario file 'scenario.json': {path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidJson_ReportsLineAndFile()
    {
        var path = Write("bad.json", "{\n  \"turns\": [\n    { \"text\": \"hi\" \n  ]\n}");
        var error = Assert.Throws<LocalScenarioException>(() => LocalScenario.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.IsType<JsonException>(error.InnerException, exactMatch: false);
    }

    [Fact]
    public void Load_MissingFile_ThrowsScenarioException()
    {
        var error = Assert.Throws<LocalScenarioException>(() => LocalScenario.Load(Path.Combine(_directory, "nope.json")));
        Assert.Contains("nope.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WavRelativeToScenarioFile_IsLoaded()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "clips"));
        WavFile.Write(Path.Combine(_directory, "clips", "hello.wav"), ToneGenerator.Tone(16000, 440, 250), 16000);
        var path = Write("with-wav.json", """{ "turns": [ { "audio": "clips/hello.wav" } ] }""");

        var scenario = LocalScenario.Load(path);

        var audio = scenario.Turns[0].Audio!;
        Assert.Equal(LocalAudioSourceKind.Wav, audio.Kind);
        Assert.Equal(Path.Combine(_directory, "clips", "hello.wav"), audio.WavPath);
        Assert.Equal(16000, audio.Wav!.SampleRate);
        Assert.Equal(4000, audio.Wav.Samples.Length);
        Assert.Null(scenario.Turns[0].Text);
    }

    [Fact]
    public void Load_WavAtUnsupportedRate_IsRejected()
    {
        WavFile.Write(Path.Combine(_directory, "cd.wav"), new short[441], 44100);
        var path = Write("cd.json", """{ "turns": [ { "audio": "cd.wav" } ] }""");
        var error = Assert.Throws<LocalScenarioException>(() => LocalScenario.Load(path));
        Assert.Contains("44100 Hz", error.Message, StringComparison.Ordinal);
        Assert.Equal("$.turns[0].audio", error.JsonPath);
    }

    [Fact]
    public void Load_SampleScenarios_AreValid()
    {
        var samples = FindSamplesDirectory();
        var files = Directory.GetFiles(samples, "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var scenario = LocalScenario.Load(file);
            Assert.NotNull(scenario.Turns);
        }
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData("", 1000)]
    [InlineData("Hi", 300)]
    [InlineData("Your order ships tomorrow.", 26 * 60)]
    public void ToneMsFor_FollowsTextLength(string? text, int expected) =>
        Assert.Equal(expected, LocalScenario.ToneMsFor(text));

    [Fact]
    public void ToneMsFor_LongText_IsCappedAt8Seconds() =>
        Assert.Equal(8000, LocalScenario.ToneMsFor(new string('x', 500)));

    private LocalScenario Parse(string json) => LocalScenario.Parse(json, _directory, "scenario.json");

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string FindSamplesDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "scenarios");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/scenarios not found above " + AppContext.BaseDirectory);
    }
}
