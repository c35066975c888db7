using Switchboard.Agents;
using Switchboard.Sessions;

namespace Switchboard.Tests.Sessions;

public class SessionPolicyTests
{
    [Fact]
    public void CheckMode_DefaultSpecText_IsAllowed() =>
        Assert.Equal(SessionModeDecision.Allowed, SessionPolicy.CheckMode(new AgentSpec(), InteractionModes.Text));

    [Fact]
    public void CheckMode_UnknownMode_IsUnknown() =>
        Assert.Equal(SessionModeDecision.Unknown, SessionPolicy.CheckMode(new AgentSpec(), "smoke_signals"));

    [Fact]
    public void CheckMode_ModeMissingFromEndpoint_IsNotAllowed() =>
        Assert.Equal(SessionModeDecision.NotAllowedByEndpoint, SessionPolicy.CheckMode(new AgentSpec { Modes = [InteractionModes.Listen] }, InteractionModes.Text));

    [Fact]
    public void CheckMode_AllowedButUnimplemented_IsNotImplemented() =>
        Assert.Equal(SessionModeDecision.NotImplemented, SessionPolicy.CheckMode(new AgentSpec(), InteractionModes.Listen));

    [Theory]
    [InlineData(InteractionModes.AudioPlayback)]
    [InlineData(InteractionModes.VoiceConversation)]
    [InlineData(InteractionModes.BrowserActions)]
    public void CheckMode_VoiceModesOnDefaultSpec_AreAllowed(string mode) =>
        Assert.Equal(SessionModeDecision.Allowed, SessionPolicy.CheckMode(new AgentSpec(), mode));

    [Fact]
    public void AllowsWebSocket_FollowsCarriers()
    {
        Assert.True(SessionPolicy.AllowsWebSocket(new AgentSpec()));
        Assert.False(SessionPolicy.AllowsWebSocket(new AgentSpec { Carriers = [Transports.Twilio, Transports.Telnyx] }));
    }

    [Fact]
    public void TryResolveFlow_NullDefaultDeclaredUnknown()
    {
        var spec = new AgentSpec { Flows = [new FlowSpec { Name = "billing" }] };
        Assert.True(SessionPolicy.TryResolveFlow(spec, null, out var none));
        Assert.Null(none);
        Assert.True(SessionPolicy.TryResolveFlow(spec, "default", out var implicitDefault));
        Assert.Null(implicitDefault);
        Assert.True(SessionPolicy.TryResolveFlow(spec, "billing", out var billing));
        Assert.Equal("billing", billing!.Name);
        Assert.False(SessionPolicy.TryResolveFlow(spec, "Billing", out _));
    }

    [Fact]
    public void TryResolveFlow_DeclaredDefault_IsReturned()
    {
        var spec = new AgentSpec { Flows = [new FlowSpec { Name = "default", Greeting = "Hi" }] };
        Assert.True(SessionPolicy.TryResolveFlow(spec, "default", out var flow));
        Assert.Equal("Hi", flow!.Greeting);
    }

    [Fact]
    public void InstructionsAndGreeting_FlowExtendsAndOverrides()
    {
        var spec = new AgentSpec { Instructions = "Be brief.", Greeting = "Hello." };
        var flow = new FlowSpec { Name = "billing", Instructions = "Only billing.", Greeting = "Billing here." };
        Assert.Equal("Be brief.\n\nOnly billing.", SessionPolicy.Instructions(spec, flow));
        Assert.Equal("Be brief.", SessionPolicy.Instructions(spec, null));
        Assert.Equal("Billing here.", SessionPolicy.Greeting(spec, flow));
        Assert.Equal("Hello.", SessionPolicy.Greeting(spec, new FlowSpec { Name = "x" }));
        Assert.Null(SessionPolicy.Greeting(new AgentSpec { Greeting = "  " }, null));
    }

    [Theory]
    [InlineData("default", "openai", true)]
    [InlineData("local", "local", true)]
    [InlineData("openai", "local", false)]
    [InlineData("azure", "openai", false)]
    public void BackendMatches_DefaultOrSameKind(string spec, string kind, bool expected) =>
        Assert.Equal(expected, SessionPolicy.BackendMatches(spec, kind));
}
