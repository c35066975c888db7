using Switchboard.Calls;
using Switchboard.Carriers;
using Switchboard.Carriers.Twilio;
using Switchboard.Configuration;

namespace Switchboard.Tests.Carriers;

public class TwilioRestTests
{
    [Theory]
    [InlineData("+15551234567", "+15550001111", """<Response><Dial callerId="+15550001111">+15551234567</Dial></Response>""")]
    [InlineData("+15551234567", null, "<Response><Dial>+15551234567</Dial></Response>")]
    [InlineData("sip:desk@pbx.example.com", null, "<Response><Dial><Sip>sip:desk@pbx.example.com</Sip></Dial></Response>")]
    [InlineData("sip:a&b@pbx.example.com;x=<y>", "\"+1\"", """<Response><Dial callerId="&quot;+1&quot;"><Sip>sip:a&amp;b@pbx.example.com;x=&lt;y&gt;</Sip></Dial></Response>""")]
    public void DialTwiml_EscapesEveryValue(string to, string? callerId, string expected) =>
        Assert.Equal(expected, TwilioRest.DialTwiml(to, callerId));

    [Fact]
    public void Build_WithoutAuthToken_SendsNothingAndSaysWhichKey()
    {
        var request = TwilioRest.Build(new TwilioOptions(), new CallStartInfo { AccountId = "AC1", CarrierCallId = "CA1" }, TwilioRest.HangUpForm(), out var missing);

        Assert.Null(request);
        Assert.Contains("Switchboard:Twilio:AuthToken", missing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, """{"code":20404,"message":"The requested resource was not found"}""", true)]
    [InlineData(404, """{"code":20001}""", false)]
    [InlineData(500, "not json", false)]
    public void ReadError_Recognises20404AsGone(int status, string body, bool gone) => Assert.Equal(gone, TwilioRest.ReadError(status, body).Gone);
}
