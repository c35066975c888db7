using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Agents;
using Switchboard.Cli.Simulation;
using Switchboard.Journal;
using Switchboard.Server.Control;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>Carrier calls pick their agent endpoint: a named endpointId, the dialled number, or the default endpoint.</summary>
public class EndpointSelectionTests
{
    [Fact]
    public async Task TwilioCall_NoEndpointNamed_RunsOnTheDefaultEndpoint()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var defaults = gateway.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap;

        await CallSimulator.RunAsync(new SimulationOptions { Url = gateway.WebSocketUrl("/twilio"), CallerAudio = CallTestAudio.Speech(300), TailSeconds = 1 });

        var events = await gateway.WaitForEndedCallAsync();
        var started = Assert.Single(events, e => e.Type == CallEventType.CallStarted);
        Assert.Equal(defaults.DefaultEndpoint.Id.ToString("D"), started.Data![CallEventKeys.EndpointId]);
        Assert.Equal(defaults.DefaultTeam.Id.ToString("D"), started.Data[CallEventKeys.TeamId]);
        var call = await gateway.Store.GetCallAsync(defaults.DefaultTeam.Id, events[0].CallId, CancellationToken.None);
        Assert.Equal(defaults.DefaultEndpoint.Id, call!.EndpointId);
    }

    [Fact]
    public async Task TwilioCall_EndpointIdParameter_UsesThatEndpointsLimits()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var endpoint = await CreateEndpointAsync(gateway, "short-calls", new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 1 } });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(300),
            TailSeconds = 4,
            Parameters = await CarrierBinding.ParametersAsync(gateway, endpoint.Id),
        });

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(endpoint.Id.ToString("D"), Assert.Single(events, e => e.Type == CallEventType.CallStarted).Data![CallEventKeys.EndpointId]);
        Assert.Equal(CallEndReason.MaxDuration, events[^1].Reason);
        Assert.True(result.GatewayClosedFirst);
    }

    [Fact]
    public async Task TwilioCall_DialledNumberMapped_UsesThatEndpoint()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var endpoint = await CreateEndpointAsync(gateway, "sales-line", new AgentSpec { PhoneNumbers = ["+15551230000"] });

        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(300),
            TailSeconds = 1,
            // Twilio's start carries From/To as the <Parameter>s our TwiML adds.
            Parameters = [new("To", "+15551230000")],
        });

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(endpoint.Id.ToString("D"), Assert.Single(events, e => e.Type == CallEventType.CallStarted).Data![CallEventKeys.EndpointId]);
    }

    [Fact]
    public async Task TwilioCall_UnknownEndpointId_ClosedWithPolicyViolation()
    {
        await using var gateway = await GatewayFixture.StartAsync();

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(300),
            TailSeconds = 1,
            Parameters = [new("endpointId", Guid.NewGuid().ToString())],
        });

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, result.CloseStatus);
        Assert.Equal("unknown endpoint", result.CloseDescription);
        Assert.Equal(0, gateway.Calls.Count);
    }

    [Fact]
    public async Task TelnyxCall_EndpointWithoutTelnyx_Refused()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Telnyx:StreamToken"] = "tel-secret" });
        var endpoint = await CreateEndpointAsync(gateway, "twilio-only", new AgentSpec { Carriers = [Transports.Twilio] });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/telnyx"),
            Carrier = CarrierKind.Telnyx,
            Token = "tel-secret",
            CallerAudio = CallTestAudio.Speech(300),
            TailSeconds = 1,
            Parameters = await CarrierBinding.ParametersAsync(gateway, endpoint.Id),
        });

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, result.CloseStatus);
        Assert.Equal("endpoint does not accept telnyx calls", result.CloseDescription);
    }

    [Fact]
    public async Task Twiml_EndpointIdQuery_BecomesAStreamParameter_AndAMalformedOneIs400()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient();
        var id = Guid.NewGuid();

        var token = await CarrierBinding.TokenAsync(gateway, id);
        var ok = await http.PostAsync($"{gateway.BaseUrl}/twilio/twiml?endpointId={id}&endpointToken={token}", new FormUrlEncodedContent([new("CallSid", "CA1")]));
        var bad = await http.PostAsync($"{gateway.BaseUrl}/twilio/twiml?endpointId=not-a-uuid", new FormUrlEncodedContent([new("CallSid", "CA1")]));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains($"<Parameter name=\"endpointId\" value=\"{id}\"/>", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<AgentEndpoint> CreateEndpointAsync(GatewayFixture gateway, string name, AgentSpec spec)
    {
        var team = gateway.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap.DefaultTeam;
        var endpoint = new AgentEndpoint
        {
            Id = Guid.NewGuid(),
            TeamId = team.Id,
            Name = name,
            Spec = spec,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        await gateway.Store.CreateEndpointAsync(endpoint, CancellationToken.None);
        return endpoint;
    }
}
