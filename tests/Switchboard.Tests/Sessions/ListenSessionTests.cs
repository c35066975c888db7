using System.Text;
using Switchboard.Sessions;

namespace Switchboard.Tests.Sessions;

/// <summary>What a listen session accepts from its client: ping and hangup; everything a caller could send is refused, typed.</summary>
public class ListenSessionTests
{
    [Theory]
    [InlineData("""{"type":"ping"}""", "Ping")]
    [InlineData("""{"type":"hangup","payload":{}}""", "Hangup")]
    public void Classify_ListenerMessages_AreAccepted(string json, string expected)
    {
        var (kind, error) = ListenSession.Classify(Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, kind.ToString());
        Assert.Null(error);
    }

    [Theory]
    [InlineData("""{"type":"audio","payload":{"audio":"AAAA","sampleRate":24000}}""")]
    [InlineData("""{"type":"audio","payload":{"audio":"not base64!"}}""")]
    [InlineData("""{"type":"text","payload":{"text":"hello caller"}}""")]
    [InlineData("""{"type":"text","payload":{}}""")]
    [InlineData("""{"type":"interrupt"}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":10}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"a","ok":true}}""")]
    [InlineData("""{"type":"dance"}""")]
    public void Classify_AnythingACallerWouldSend_IsListenOnly(string json)
    {
        var (kind, error) = ListenSession.Classify(Encoding.UTF8.GetBytes(json));

        Assert.Equal(ListenSession.ListenerMessage.Refused, kind);
        Assert.Equal(SessionErrorCodes.ListenOnly, error!.Code);
    }

    [Theory]
    [InlineData("not json", SessionErrorCodes.InvalidJson)]
    [InlineData("""["ping"]""", SessionErrorCodes.InvalidMessage)]
    public void Classify_NotAMessage_KeepsItsOwnError(string json, string code)
    {
        var (kind, error) = ListenSession.Classify(Encoding.UTF8.GetBytes(json));

        Assert.Equal(ListenSession.ListenerMessage.Refused, kind);
        Assert.Equal(code, error!.Code);
    }
}
