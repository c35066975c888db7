using System.Text;
using Switchboard.SipConnector;

namespace Switchboard.Tests.SipConnector;

public class SipWebhookEventsTests
{
    [Fact]
    public void TryParse_IncomingCall_ReadsIdTypeCallIdAndHeadersInOrder()
    {
        var body = """
            {"id":"evt_abc123","object":"event","type":"realtime.call.incoming","created_at":1719168000,
             "data":{"call_id":"rtc_479a275623b54bdb9b6fbae2f7cbd408","sip_headers":[
               {"name":"Max-Forwards","value":"63"},{"name":"CSeq","value":"851287 INVITE"},{"name":"Content-Type","value":"application/sdp"}]}}
            """u8;

        Assert.True(SipWebhookEvents.TryParse(body, out var evt, out var problem), problem);
        Assert.Equal("evt_abc123", evt!.Id);
        Assert.True(evt.IsIncomingCall);
        Assert.Equal(1719168000, evt.CreatedAt);
        Assert.Equal("rtc_479a275623b54bdb9b6fbae2f7cbd408", evt.CallId);
        Assert.Equal(["Max-Forwards", "CSeq", "Content-Type"], evt.SipHeaders.Select(h => h.Key).ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("{\"type\":5}")]
    [InlineData("{\"id\":\"evt\"}")]
    [InlineData("{\"type\":\"realtime.call.incoming\",\"data\":{}}")]
    [InlineData("{\"type\":\"realtime.call.incoming\",\"data\":{\"call_id\":\"\"}}")]
    [InlineData("{\"type\":\"realtime.call.incoming\",\"data\":\"rtc_1\"}")]
    public void TryParse_HostileOrIncomplete_IsFalseWithAReason_NeverThrows(string body)
    {
        Assert.False(SipWebhookEvents.TryParse(Encoding.UTF8.GetBytes(body), out var evt, out var problem));
        Assert.Null(evt);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void TryParse_OtherEventType_IsReadButNotACall()
    {
        Assert.True(SipWebhookEvents.TryParse("""{"id":"e","type":"live.transport.incoming","data":{"type":"sip","session_id":"rtc_1"}}"""u8, out var evt, out _));
        Assert.False(evt!.IsIncomingCall);
        Assert.Null(evt.CallId);
    }

    [Fact]
    public void TryParse_HeadersBeyondTheLimit_AreDropped_LongValuesCut()
    {
        var headers = string.Join(",", Enumerable.Range(0, 150).Select(i => $$"""{"name":"X-H{{i}}","value":"{{new string('v', 400)}}"}"""));
        var body = Encoding.UTF8.GetBytes("""{"type":"realtime.call.incoming","data":{"call_id":"rtc_1","sip_headers":[""" + headers + """,{"name":5,"value":"x"}]}}""");

        Assert.True(SipWebhookEvents.TryParse(body, out var evt, out _));
        Assert.Equal(SipWebhookEvent.MaxHeaders, evt!.SipHeaders.Count);
        Assert.All(evt.SipHeaders, h => Assert.Equal(SipHeaders.MaxValueLength, h.Value.Length));
    }
}
