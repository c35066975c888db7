using System.Text;
using Switchboard.Sessions;

namespace Switchboard.Tests.Sessions;

public class SessionClientMessagesTests
{
    private static (bool Ok, SessionClientMessage Message, SessionError? Error) Parse(string json)
    {
        var ok = SessionClientMessages.TryParse(Encoding.UTF8.GetBytes(json), out var message, out var error);
        return (ok, message, error);
    }

    [Theory]
    [InlineData("""{"type":"text","payload":{"text":"Hello"}}""")]
    [InlineData("""{"type":"user_message","payload":{"text":"Hello"}}""")]
    [InlineData("""{"type":"text","sessionId":"x","seq":4,"timestamp":"2026-01-01T00:00:00Z","payload":{"text":"Hello"}}""")]
    public void TryParse_TextAndAlias_ReturnsText(string json)
    {
        var (ok, message, error) = Parse(json);
        Assert.True(ok);
        Assert.Null(error);
        Assert.Equal(SessionClientMessageKind.Text, message.Kind);
        Assert.Equal("Hello", message.Text);
    }

    [Theory]
    [InlineData("""{"type":"hangup"}""", "Hangup")]
    [InlineData("""{"type":"hangup","payload":{}}""", "Hangup")]
    [InlineData("""{"type":"ping","payload":null}""", "Ping")]
    public void TryParse_ControlMessages_NeedNoPayload(string json, string kind)
    {
        var (ok, message, _) = Parse(json);
        Assert.True(ok);
        Assert.Equal(kind, message.Kind.ToString());
    }

    [Theory]
    [InlineData("{oops", SessionErrorCodes.InvalidJson)]
    [InlineData("""{"type":"text","payload":{"text":"a"}} trailing""", SessionErrorCodes.InvalidJson)]
    [InlineData("[1,2]", SessionErrorCodes.InvalidMessage)]
    [InlineData("""{"payload":{"text":"a"}}""", SessionErrorCodes.InvalidMessage)]
    [InlineData("""{"type":5}""", SessionErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"text","payload":"a"}""", SessionErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"text"}""", SessionErrorCodes.InvalidText)]
    [InlineData("""{"type":"text","payload":{"text":""}}""", SessionErrorCodes.InvalidText)]
    [InlineData("""{"type":"text","payload":{"text":42}}""", SessionErrorCodes.InvalidText)]
    [InlineData("""{"type":"telepathy","payload":{}}""", SessionErrorCodes.UnknownType)]
    public void TryParse_BadMessages_ReturnTheErrorCode(string json, string code)
    {
        var (ok, _, error) = Parse(json);
        Assert.False(ok);
        Assert.Equal(code, error!.Code);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public void TryParse_LongUnknownType_IsTruncatedInTheMessage()
    {
        var (_, _, error) = Parse("{\"type\":\"" + new string('x', 500) + "\"}");
        Assert.True(error!.Message.Length < 200);
    }
}
