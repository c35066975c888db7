using System.Text.Json;
using Switchboard.Agents;

namespace Switchboard.Tests.Agents;

public class AgentSpecJsonTests
{
    [Fact]
    public void ParseStrict_MissingFields_TakeTheRecordDefaults()
    {
        var spec = AgentSpecJson.ParseStrict("""{ "voice": "cedar" }""");

        var defaults = new AgentSpec();
        Assert.Equal("cedar", spec.Voice);
        Assert.Equal(defaults.Backend, spec.Backend);
        Assert.Equal(defaults.Instructions, spec.Instructions);
        Assert.Equal(defaults.AudioFormat, spec.AudioFormat);
        Assert.Equal(defaults.TurnDetection, spec.TurnDetection);
        Assert.Equal(defaults.Transcription, spec.Transcription);
        Assert.Equal(defaults.Limits, spec.Limits);
        Assert.Equal(defaults.Carriers, spec.Carriers);
        Assert.Equal(defaults.Modes, spec.Modes);
        Assert.Empty(spec.Tools);
    }

    [Fact]
    public void ParseStrict_PartialSection_KeepsTheSectionsOtherDefaults()
    {
        var spec = AgentSpecJson.ParseStrict("""{ "turnDetection": { "type": "semantic_vad" }, "transcription": { "language": "de" } }""");

        Assert.Equal("semantic_vad", spec.TurnDetection.Type);
        Assert.Equal(0.5, spec.TurnDetection.Threshold);
        Assert.Equal(500, spec.TurnDetection.SilenceDurationMs);
        Assert.Equal("gpt-4o-mini-transcribe", spec.Transcription.Model);
        Assert.Equal("de", spec.Transcription.Language);
    }

    [Fact]
    public void ParseStrict_ExplicitNull_StaysNull()
    {
        var spec = AgentSpecJson.ParseStrict("""{ "greeting": null, "limits": null }""");

        Assert.Null(spec.Greeting);
        Assert.Null(spec.Limits);
    }

    [Fact]
    public void ParseStrict_UnknownField_Throws()
    {
        var ex = Assert.Throws<JsonException>(() => AgentSpecJson.ParseStrict("""{ "turnDetection": { "typo": 1 } }"""));
        Assert.Equal("$.turnDetection.typo", ex.Path);
    }

    [Fact]
    public void ParseStored_UnknownFieldAndMissingFields_IgnoredAndDefaulted()
    {
        var spec = AgentSpecJson.ParseStored("""{ "voice": "cedar", "fieldFromTheFuture": true }""");

        Assert.Equal("cedar", spec.Voice);
        Assert.Equal(new LimitsSpec(), spec.Limits);
    }

    [Fact]
    public void Serialize_ThenParseStored_RoundTrips()
    {
        var spec = new AgentSpec { Voice = "cedar", Greeting = "Hi", Tools = [new ToolSpec { Name = "lookup" }], PhoneNumbers = ["+15551234567"] };

        var again = AgentSpecJson.ParseStored(AgentSpecJson.Serialize(spec));

        Assert.Equal(AgentSpecJson.Serialize(spec), AgentSpecJson.Serialize(again));
    }
}
