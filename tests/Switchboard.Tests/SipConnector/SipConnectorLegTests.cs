using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.SipConnector;

namespace Switchboard.Tests.SipConnector;

public class SipConnectorLegTests
{
    [Theory]
    [InlineData("+15551234567", "tel:+15551234567")]
    [InlineData("sip:desk@pbx.example.com", "sip:desk@pbx.example.com")]
    [InlineData("sips:desk@pbx.example.com", "sips:desk@pbx.example.com")]
    [InlineData("tel:+15551234567", "tel:+15551234567")]
    public void TargetUri_E164BecomesTel_UrisStay(string to, string expected) => Assert.Equal(expected, SipConnectorLeg.TargetUri(to));

    [Theory]
    [InlineData(CallEndReason.Refused, SipConnectorLeg.Busy)]
    [InlineData(CallEndReason.EndpointRejected, SipConnectorLeg.Declined)]
    [InlineData(CallEndReason.CallerHangup, SipConnectorLeg.NothingToSend)]
    [InlineData(CallEndReason.Transferred, SipConnectorLeg.NothingToSend)]
    [InlineData(CallEndReason.BackendUnavailable, SipConnectorLeg.Unavailable)]
    [InlineData(CallEndReason.AgentEnded, SipConnectorLeg.Unavailable)]
    [InlineData(CallEndReason.CarrierClosed, SipConnectorLeg.Unavailable)]
    [InlineData(CallEndReason.GatewayShutdown, SipConnectorLeg.Unavailable)]
    public void CloseFor_MapsEndReasonsToWhatTheConnectorIsSent(string endReason, int code) =>
        Assert.Equal(code, Leg(new RecordingControl()).CloseFor(endReason, "x").Code);

    [Fact]
    public async Task Close_BeforeTheAccept_Rejects_AfterIt_HangsUpOnce()
    {
        var refused = new RecordingControl();
        await Leg(refused).CloseAsync(SipConnectorLeg.Busy, "busy");
        Assert.Equal(["reject 486"], refused.Sent);

        var accepted = new RecordingControl();
        var leg = Leg(accepted);
        var answer = await leg.AnswerAsync(new RealtimeSessionSettings { Model = "" }, CancellationToken.None);
        Assert.True(answer.Result.Succeeded);
        Assert.Equal("wss://api.example/v1/realtime?call_id=rtc_1", answer.AgentLeg!.Url.ToString());
        Assert.Equal("default-model", answer.AgentLeg.Model);
        Assert.Equal("accepted", await leg.HangUpAsync(CancellationToken.None));
        await leg.CloseAsync(SipConnectorLeg.Unavailable, "ended");
        await leg.CloseAsync(1000, "call ended");
        Assert.Equal(["accept default-model", "hangup"], accepted.Sent);
        Assert.Equal(Switchboard.Transport.ReceiveStatus.Closed, ReceiveStatusOf(leg));
    }

    [Fact]
    public async Task Answer_AfterTheCloseBegan_IsNotSent()
    {
        var control = new RecordingControl();
        var leg = Leg(control);
        await leg.CloseAsync(SipConnectorLeg.Unavailable, "shutting down");
        var answer = await leg.AnswerAsync(new RealtimeSessionSettings { Model = "m" }, CancellationToken.None);
        Assert.False(answer.Result.Succeeded);
        Assert.Equal(["reject 503"], control.Sent);
    }

    [Fact]
    public void DescribeStart_HasTheCallIdNumbersCallIdAndXHeaders()
    {
        var data = new Dictionary<string, string>();
        Leg(new RecordingControl()).DescribeStart(data);
        Assert.Equal("rtc_1", data[CallEventKeys.CarrierCallId]);
        Assert.Equal("+15550001111", data[CallEventKeys.From]);
        Assert.Equal("+15550002222", data[CallEventKeys.To]);
        Assert.Equal("abc@carrier", data["sip_call_id"]);
        Assert.Equal("gold", data["sip_x-customer-tier"]);
        Assert.False(data.ContainsKey("sip_cseq"));
    }

    [Fact]
    public void AcceptBody_HasNoAudioFormats_AndTheVoiceWhereAsked()
    {
        var session = new RealtimeSessionSettings { Model = "gpt-realtime", Voice = "cedar", NegotiatedFormats = true, Instructions = "hi", TranscriptionModel = "whisper-1" };
        using var ga = JsonDocument.Parse(SipCallControl.AcceptBody(session, voiceAtTopLevel: false));
        Assert.Equal("realtime", ga.RootElement.GetProperty("type").GetString());
        Assert.Equal("cedar", ga.RootElement.GetProperty("audio").GetProperty("output").GetProperty("voice").GetString());
        Assert.False(ga.RootElement.GetProperty("audio").GetProperty("output").TryGetProperty("format", out _));
        Assert.False(ga.RootElement.GetProperty("audio").GetProperty("input").TryGetProperty("format", out _));
        Assert.False(ga.RootElement.TryGetProperty("voice", out _));

        using var older = JsonDocument.Parse(SipCallControl.AcceptBody(session, voiceAtTopLevel: true));
        Assert.Equal("cedar", older.RootElement.GetProperty("voice").GetString());
        Assert.False(older.RootElement.GetProperty("audio").GetProperty("output").TryGetProperty("voice", out _));
    }

    [Theory]
    [InlineData("""{"error":{"message":"Unknown parameter: 'audio.output.voice'.","type":"invalid_request_error","param":"audio.output.voice","code":"unknown_parameter"}}""", true)]
    [InlineData("""{"error":{"message":"Unknown parameter: 'audio.output.voice'.","code":"unknown_parameter"}}""", true)]
    [InlineData("""{"error":{"message":"Unknown parameter: 'tracing'.","param":"tracing","code":"unknown_parameter"}}""", false)]
    [InlineData("""{"error":{"message":"bad","code":"invalid_value","param":"audio.output.voice"}}""", false)]
    [InlineData("not json", false)]
    [InlineData("", false)]
    public void RefusesGaVoice_OnlyForUnknownAudioOutputVoice(string body, bool expected) => Assert.Equal(expected, SipCallControl.RefusesGaVoice(body));

    private static Switchboard.Transport.ReceiveStatus ReceiveStatusOf(SipConnectorLeg leg) => leg.ReceiveAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static SipConnectorLeg Leg(ISipCallControl control) => new(
        new SipWebhookEvent("evt_1", SipWebhookEvent.IncomingCall, 0, "rtc_1",
        [
            new("From", "<sip:+15550001111@carrier>;tag=1"),
            new("To", "<sip:+15550002222@sip.api.openai.com>"),
            new("Call-ID", "abc@carrier"),
            new("CSeq", "1 INVITE"),
            new("X-Customer-Tier", "gold"),
        ]),
        "wh_1", new Dictionary<string, string>(), control);

    /// <summary>Records the REST calls a leg makes; every one succeeds.</summary>
    private sealed class RecordingControl : ISipCallControl
    {
        public List<string> Sent { get; } = [];

        public string DefaultModel => "default-model";

        public Task<CallControlResult> AcceptAsync(string callId, RealtimeSessionSettings session, CancellationToken cancellationToken) => Done("accept " + session.Model);

        public Task<CallControlResult> RejectAsync(string callId, int sipStatus, CancellationToken cancellationToken) => Done("reject " + sipStatus);

        public Task<CallControlResult> ReferAsync(string callId, string targetUri, CancellationToken cancellationToken) => Done("refer " + targetUri);

        public Task<CallControlResult> HangUpAsync(string callId, CancellationToken cancellationToken) => Done("hangup");

        public RealtimeEndpoint Sideband(string callId, string model) =>
            new(new Uri("wss://api.example/v1/realtime?call_id=" + callId), [], "openai") { Model = model };

        private Task<CallControlResult> Done(string what)
        {
            lock (Sent)
            {
                Sent.Add(what);
            }

            return Task.FromResult(new CallControlResult(CallControlStatus.Done, what, 200));
        }
    }
}
