using Switchboard.Agents;
using Switchboard.Sessions;

namespace Switchboard.Tests.Agents;

public class EndpointPolicyTests
{
    [Fact]
    public void CheckMode_DefaultSpecText_IsAllowed() =>
        Assert.Equal(SessionModeDecision.Allowed, EndpointPolicy.CheckMode(new AgentSpec(), InteractionModes.Text));

    [Fact]
    public void CheckMode_UnknownMode_IsUnknown() =>
        Assert.Equal(SessionModeDecision.Unknown, EndpointPolicy.CheckMode(new AgentSpec(), "smoke_signals"));

    [Fact]
    public void CheckMode_ModeMissingFromEndpoint_IsNotAllowed() =>
        Assert.Equal(SessionModeDecision.NotAllowedByEndpoint, EndpointPolicy.CheckMode(new AgentSpec { Modes = [InteractionModes.Listen] }, InteractionModes.Text));

    [Fact]
    public void CheckMode_EveryKnownMode_IsImplemented() =>
        Assert.Equal(InteractionModes.All, InteractionModes.Implemented);

    [Theory]
    [InlineData(InteractionModes.Listen)]
    [InlineData(InteractionModes.AudioPlayback)]
    [InlineData(InteractionModes.VoiceConversation)]
    [InlineData(InteractionModes.BrowserActions)]
    public void CheckMode_VoiceAndListenModesOnDefaultSpec_AreAllowed(string mode) =>
        Assert.Equal(SessionModeDecision.Allowed, EndpointPolicy.CheckMode(new AgentSpec(), mode));

    [Fact]
    public void AllowsWebSocket_FollowsCarriers()
    {
        Assert.True(EndpointPolicy.AllowsChannel(new AgentSpec(), Transports.WebSocket));
        Assert.False(EndpointPolicy.AllowsChannel(new AgentSpec { Carriers = [Transports.Twilio, Transports.Telnyx] }, Transports.WebSocket));
    }

    [Fact]
    public void TryResolveFlow_NullDefaultDeclaredUnknown()
    {
        var spec = new AgentSpec { Flows = [new FlowSpec { Name = "billing" }] };
        Assert.True(EndpointPolicy.TryResolveFlow(spec, null, out var none));
        Assert.Null(none);
        Assert.True(EndpointPolicy.TryResolveFlow(spec, "default", out var implicitDefault));
        Assert.Null(implicitDefault);
        Assert.True(EndpointPolicy.TryResolveFlow(spec, "billing", out var billing));
        Assert.Equal("billing", billing!.Name);
        Assert.False(EndpointPolicy.TryResolveFlow(spec, "Billing", out _));
    }

    [Fact]
    public void TryResolveFlow_DeclaredDefault_IsReturned()
    {
        var spec = new AgentSpec { Flows = [new FlowSpec { Name = "default", Greeting = "Hi" }] };
        Assert.True(EndpointPolicy.TryResolveFlow(spec, "default", out var flow));
        Assert.Equal("Hi", flow!.Greeting);
    }

    [Fact]
    public void InstructionsAndGreeting_FlowExtendsAndOverrides()
    {
        var spec = new AgentSpec { Instructions = "Be brief.", Greeting = "Hello." };
        var flow = new FlowSpec { Name = "billing", Instructions = "Only billing.", Greeting = "Billing here." };
        Assert.Equal("Be brief.\n\nOnly billing.", EndpointPolicy.Instructions(spec, flow));
        Assert.Equal("Be brief.", EndpointPolicy.Instructions(spec, null));
        Assert.Equal("Billing here.", EndpointPolicy.Greeting(spec, flow));
        Assert.Equal("Hello.", EndpointPolicy.Greeting(spec, new FlowSpec { Name = "x" }));
        Assert.Null(EndpointPolicy.Greeting(new AgentSpec { Greeting = "  " }, null));
    }
}
