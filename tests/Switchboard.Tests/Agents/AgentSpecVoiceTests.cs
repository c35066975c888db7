using Switchboard.Agents;
using Switchboard.Configuration;
using Switchboard.Network;

namespace Switchboard.Tests.Agents;

public class AgentSpecVoiceTests
{
    [Theory]
    [InlineData("default", "notavoice", false)]
    [InlineData("openai", "Marin", false)]
    [InlineData("azure", "cedar", true)]
    [InlineData("default", "verse", true)]
    [InlineData("local", "notavoice", true)]
    public void Voice_IsCheckedAgainstTheRealtimeVoices_ExceptOnTheLocalAgent(string backend, string voice, bool ok)
    {
        var errors = AgentSpecValidator.Validate("e", new AgentSpec { Backend = backend, Voice = voice }, OutboundPolicy.Strict);
        Assert.Equal(ok, !errors.ContainsKey("voice"));
        if (!ok)
        {
            Assert.Contains("known: alloy", errors["voice"][0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AgentVoiceOption_UnknownWithARemoteBackend_IsAStartupError()
    {
        var remote = new SwitchboardOptions { Backend = new BackendOptions { Kind = BackendKind.OpenAI }, OpenAI = new OpenAIOptions { ApiKey = "sk-x" }, Agent = new AgentOptions { Voice = "notavoice" } };
        Assert.Contains(SwitchboardOptionsValidator.Collect(remote), e => e.Contains("Agent:Voice", StringComparison.Ordinal) && e.Contains("OPENAI_VOICE", StringComparison.Ordinal));
        var local = remote with { Backend = new BackendOptions { Kind = BackendKind.Local } };
        Assert.DoesNotContain(SwitchboardOptionsValidator.Collect(local), e => e.Contains("Agent:Voice", StringComparison.Ordinal));
    }
}
