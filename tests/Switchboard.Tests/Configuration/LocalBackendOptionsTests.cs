using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public sealed class LocalBackendOptionsTests
{
    [Fact]
    public void Defaults_AreValidEcho()
    {
        var options = new LocalBackendOptions();
        Assert.Equal(LocalAgentMode.Echo, options.Mode);
        Assert.Equal(-40, options.VadThresholdDbfs);
        Assert.Equal(60, options.MinSpeechMs);
        Assert.Equal(20, options.ChunkMs);
        Assert.Equal(1.0, options.PaceFactor);
        Assert.Equal(30, options.MaxTurnSeconds);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_ReportsEveryErrorWithItsKey()
    {
        var options = new LocalBackendOptions
        {
            Mode = LocalAgentMode.Scripted,
            ChunkMs = 5,
            PaceFactor = -1,
            MaxTurnSeconds = 0,
            MinSpeechMs = 0,
            VadThresholdDbfs = 3,
        };

        var errors = options.Validate().ToList();

        Assert.Contains("Switchboard:Local:ChunkMs must be between 10 and 1000", errors);
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Local:ScenarioPath is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Local:PaceFactor", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Local:MaxTurnSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Local:MinSpeechMs", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Local:VadThresholdDbfs", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Validate_ScenarioFileMissing_NamesThePath()
    {
        var options = new LocalBackendOptions { Mode = LocalAgentMode.Scripted, ScenarioPath = "/nonexistent/scenario.json" };
        var error = Assert.Single(options.Validate());
        Assert.Equal("Switchboard:Local:ScenarioPath '/nonexistent/scenario.json' does not exist", error);
    }

    [Fact]
    public void Validate_PaceZero_MeansAsFastAsPossible() =>
        Assert.Empty(new LocalBackendOptions { PaceFactor = 0 }.Validate());
}
