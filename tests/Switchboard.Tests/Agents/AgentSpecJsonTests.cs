using System.Text.Json;
using Switchboard.Agents;

namespace Switchboard.Tests.Agents;

public sealed class AgentSpecJsonTests
{
    [Fact]
    public void ParseStrict_EmptyObject_TakesEveryDefault()
    {
        var spec = AgentSpecJson.ParseStrict("{}");

        Assert.Equal(AgentSpecJson.Serialize(new AgentSpec()), AgentSpecJson.Serialize(spec));
        Assert.Equal("default", spec.Backend);
        Assert.Equal("auto", spec.AudioFormat);
        Assert.Equal(Transports.All, spec.Carriers);
        Assert.Empty(AgentSpecValidator.Validate("x", spec));
    }

    [Fact]
    public void ParseStrict_PartialNestedObject_KeepsTheOtherNestedDefaults()
    {
        var spec = AgentSpecJson.ParseStrict("""{ "voice": "cedar", "turnDetection": { "type": "semantic_vad" }, "limits": { "maxCallSeconds": 60 } }""");

        Assert.Equal("cedar", spec.Voice);
        Assert.Equal("semantic_vad", spec.TurnDetection.Type);
        Assert.Equal(0.5, spec.TurnDetection.Threshold);
        Assert.Equal(500, spec.TurnDetection.SilenceDurationMs);
        Assert.Equal(60, spec.Limits.MaxCallSeconds);
        Assert.Equal(3600, spec.Limits.SessionTtlSeconds);
        Assert.Equal("gpt-4o-mini-transcribe", spec.Transcription.Model);
    }

    [Fact]
    public void ParseStrict_ExplicitNull_OverridesTheDefault()
    {
        var spec = AgentSpecJson.ParseStrict("""{ "greeting": null, "transcription": { "model": null } }""");

        Assert.Null(spec.Greeting);
        Assert.Null(spec.Transcription.Model);
    }

    [Theory]
    [InlineData("""{ "voic": "cedar" }""")]
    [InlineData("""{ "turnDetection": { "typ": "none" } }""")]
    [InlineData("[]")]
    [InlineData("{ not json")]
    public void ParseStrict_UnknownFieldOrNotAnObject_Throws(string json) =>
        Assert.ThrowsAny<JsonException>(() => AgentSpecJson.ParseStrict(json));

    [Fact]
    public void ParseStored_OldRowWithUnknownAndMissingFields_SkipsUnknownAndFillsDefaults()
    {
        var spec = AgentSpecJson.ParseStored("""{ "voice": "ash", "retiredField": 1 }""");

        Assert.Equal("ash", spec.Voice);
        Assert.Equal("default", spec.Backend);
        Assert.Equal(InteractionModes.All, spec.Modes);
    }
}
