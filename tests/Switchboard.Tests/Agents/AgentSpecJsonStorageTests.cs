using System.Text.Json;
using Switchboard.Agents;

namespace Switchboard.Tests.Agents;

public class AgentSpecJsonStorageTests
{
    [Fact]
    public void ParseStrict_UnknownTopLevelField_ThrowsNamingIt()
    {
        var ex = Assert.Throws<JsonException>(() => AgentSpecJson.ParseStrict("""{"voice":"cedar","voicee":"marin"}"""));
        Assert.Contains("voicee", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseStrict_UnknownNestedField_Throws()
    {
        var ex = Assert.Throws<JsonException>(() => AgentSpecJson.ParseStrict("""{"turnDetection":{"type":"server_vad","sensitivity":3}}"""));
        Assert.Contains("sensitivity", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"voice": 5}""")]
    [InlineData("""{"tools":[{"description":"no name"}]}""")]
    [InlineData("null")]
    [InlineData("")]
    public void ParseStrict_MalformedOrWrongShape_Throws(string json) => Assert.ThrowsAny<JsonException>(() => AgentSpecJson.ParseStrict(json));

    [Fact]
    public void ParseStrict_CommentsAndTrailingCommas_AreAccepted()
    {
        var spec = AgentSpecJson.ParseStrict("""
            {
              // the agent's voice
              "voice": "cedar",
            }
            """);
        Assert.Equal("cedar", spec.Voice);
    }

    [Fact]
    public void ParseStored_UnknownFieldsAtAnyDepth_AreIgnored()
    {
        var spec = AgentSpecJson.ParseStored("""{"voice":"cedar","addedInV9":{"x":1},"limits":{"maxCallSeconds":30,"future":true}}""");
        Assert.Equal(("cedar", 30), (spec.Voice, spec.Limits.MaxCallSeconds));
    }

    [Fact]
    public void ParseStored_RowWrittenBeforeFieldsExisted_MissingFieldsTakeTheirDefaults()
    {
        var spec = AgentSpecJson.ParseStored("""{"voice":"cedar","turnDetection":{"type":"semantic_vad"},"limits":{"maxCallSeconds":30}}""");

        Assert.Equal(("cedar", "default", "auto"), (spec.Voice, spec.Backend, spec.AudioFormat));
        Assert.Equal(new AgentSpec().Instructions, spec.Instructions);
        Assert.Equal(("semantic_vad", 0.5, 300, 500), (spec.TurnDetection.Type, spec.TurnDetection.Threshold, spec.TurnDetection.PrefixPaddingMs, spec.TurnDetection.SilenceDurationMs));
        Assert.Equal((30, 3600), (spec.Limits.MaxCallSeconds, spec.Limits.SessionTtlSeconds));
        Assert.Equal("gpt-4o-mini-transcribe", spec.Transcription.Model);
        Assert.Equal(Transports.All, spec.Carriers);
        Assert.Equal(InteractionModes.All, spec.Modes);
        Assert.Empty(spec.Tools);
    }

    [Fact]
    public void ParseStrict_PartialBody_MissingFieldsTakeTheirDefaults()
    {
        var spec = AgentSpecJson.ParseStrict("""{"greeting":"Hi","transcription":{"language":"de"}}""");
        Assert.Equal(("Hi", "marin", "gpt-4o-mini-transcribe", "de"), (spec.Greeting, spec.Voice, spec.Transcription.Model, spec.Transcription.Language));
        Assert.Empty(AgentSpecValidator.Validate("support", spec));
    }

    [Fact]
    public void ParseStored_JsonNull_GivesTheDefaults() =>
        Assert.Equal(AgentSpecJson.Serialize(new AgentSpec()), AgentSpecJson.Serialize(AgentSpecJson.ParseStored("null")));

    [Fact]
    public void ParseStrict_EmptyObject_TakesEveryDefault()
    {
        var spec = AgentSpecJson.ParseStrict("{}");
        Assert.Equal(AgentSpecJson.Serialize(new AgentSpec()), AgentSpecJson.Serialize(spec));
        Assert.Equal(("default", "marin", "auto", 3600), (spec.Backend, spec.Voice, spec.AudioFormat, spec.Limits.SessionTtlSeconds));
        Assert.Equal(Transports.All, spec.Carriers);
    }

    [Fact]
    public void Serialize_CamelCaseWithoutNulls()
    {
        var json = AgentSpecJson.Serialize(new AgentSpec { Greeting = null, Model = null });
        using var doc = JsonDocument.Parse(json);

        Assert.True(doc.RootElement.TryGetProperty("turnDetection", out var turn));
        Assert.True(turn.TryGetProperty("prefixPaddingMs", out _));
        Assert.False(doc.RootElement.TryGetProperty("greeting", out _));
        Assert.False(doc.RootElement.TryGetProperty("model", out _));
    }

    [Fact]
    public void Serialize_ThenParse_RoundTripsToolsFlowsAndActions()
    {
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""");
        var spec = new AgentSpec
        {
            Tools = [new ToolSpec { Name = "lookup", Description = "Finds it", Parameters = schema.RootElement.Clone() }],
            Flows = [new FlowSpec { Name = "billing", Greeting = "Billing here." }],
            BrowserActions = [new BrowserActionSpec { Name = "open_url" }],
            PhoneNumbers = ["+15550001111"],
        };

        var json = AgentSpecJson.Serialize(spec);
        var strict = AgentSpecJson.ParseStrict(json);
        var stored = AgentSpecJson.ParseStored(json);

        Assert.Equal(json, AgentSpecJson.Serialize(strict));
        Assert.Equal(json, AgentSpecJson.Serialize(stored));
        Assert.Equal("integer", strict.Tools[0].Parameters!.Value.GetProperty("properties").GetProperty("id").GetProperty("type").GetString());
    }

    [Fact]
    public void Serialize_TranscriptionModelNull_StaysNullAfterARoundTrip()
    {
        // "No caller transcripts" must not turn back into the default model when read from storage.
        var spec = new AgentSpec { Transcription = new TranscriptionSpec { Model = null } };
        Assert.Null(AgentSpecJson.ParseStored(AgentSpecJson.Serialize(spec)).Transcription.Model);
    }
}
