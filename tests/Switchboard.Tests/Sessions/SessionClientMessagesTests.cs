using System.Text;
using Switchboard.Sessions;

namespace Switchboard.Tests.Sessions;

/// <summary>
/// <see cref="SessionClientMessages"/>: every client message kind of <c>/ws/session</c> (typed turns, control messages,
/// and the voice modes' <c>playback</c>, <c>interrupt</c> and <c>action_result</c>), and the error code for each bad shape.
/// </summary>
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
    [InlineData("""{"type":"audio","payload":{}}""", SessionErrorCodes.InvalidAudio)]
    [InlineData("""{"type":"speak","payload":{}}""", SessionErrorCodes.UnknownType)]
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

    [Theory]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":1840}}""", 1840, false)]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":0}}""", 0, false)]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":1840.75,"interrupted":true}}""", 1840, true)]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":640,"interrupted":false}}""", 640, false)]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":640,"interrupted":"yes"}}""", 640, false)]
    public void TryParse_Playback_ReturnsItemPositionAndFlag(string json, long playedMs, bool interrupted)
    {
        var (ok, message, error) = Parse(json);

        Assert.True(ok, error?.Message);
        Assert.Equal(SessionClientMessageKind.Playback, message.Kind);
        Assert.Equal("item_1", message.ItemId);
        Assert.Equal(playedMs, message.PlayedMs);
        Assert.Equal(interrupted, message.Interrupted);
    }

    [Theory]
    [InlineData("""{"type":"playback"}""")]
    [InlineData("""{"type":"playback","payload":{}}""")]
    [InlineData("""{"type":"playback","payload":{"playedMs":100}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":null,"playedMs":100}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"","playedMs":100}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":7,"playedMs":100}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":["item_1"],"playedMs":100}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1"}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":null}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":-1}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":"100"}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":1e300}}""")]
    [InlineData("""{"type":"playback","payload":{"itemId":"item_1","playedMs":86400001}}""")]
    [InlineData("""{"type":"interrupt","payload":{"itemId":5}}""")]
    [InlineData("""{"type":"interrupt","payload":{"itemId":""}}""")]
    [InlineData("""{"type":"interrupt","payload":{"playedMs":-5}}""")]
    [InlineData("""{"type":"interrupt","payload":{"itemId":"item_1","playedMs":"950"}}""")]
    public void TryParse_BadPlaybackOrInterrupt_IsInvalidPlayback(string json)
    {
        var (ok, _, error) = Parse(json);

        Assert.False(ok);
        Assert.Equal(SessionErrorCodes.InvalidPlayback, error!.Code);
        Assert.Contains("payload.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"interrupt"}""", null, -1)]
    [InlineData("""{"type":"interrupt","payload":{}}""", null, -1)]
    [InlineData("""{"type":"interrupt","payload":{"itemId":"item_1"}}""", "item_1", -1)]
    [InlineData("""{"type":"interrupt","payload":{"playedMs":950}}""", null, 950)]
    [InlineData("""{"type":"interrupt","payload":{"itemId":"item_1","playedMs":950}}""", "item_1", 950)]
    [InlineData("""{"type":"interrupt","payload":{"itemId":null,"playedMs":null}}""", null, -1)]
    public void TryParse_Interrupt_ItemAndPositionAreOptional(string json, string? itemId, long playedMs)
    {
        var (ok, message, error) = Parse(json);

        Assert.True(ok, error?.Message);
        Assert.Equal(SessionClientMessageKind.Interrupt, message.Kind);
        Assert.Equal(itemId, message.ItemId);
        Assert.Equal(playedMs, message.PlayedMs);
    }

    [Fact]
    public void TryParse_ActionResultOk_KeepsTheResultAsRawJson()
    {
        var (ok, message, error) = Parse("""{"type":"action_result","payload":{"actionId":"call_1","ok":true,"result":{"shown":true,"at":[1,2]}}}""");

        Assert.True(ok, error?.Message);
        Assert.Equal(SessionClientMessageKind.ActionResult, message.Kind);
        Assert.Equal("call_1", message.ActionId);
        Assert.True(message.Ok);
        Assert.Equal("""{"shown":true,"at":[1,2]}""", message.ResultJson);
        Assert.Null(message.Text);
    }

    [Theory]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":true}}""", true, null, null)]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":true,"result":"done"}}""", true, "\"done\"", null)]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":true,"result":null}}""", true, "null", null)]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":false,"error":"popup blocked"}}""", false, null, "popup blocked")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":false,"error":{"name":"NotAllowedError"}}}""", false, null, "{\"name\":\"NotAllowedError\"}")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":false}}""", false, null, null)]
    public void TryParse_ActionResult_OkResultAndError(string json, bool isOk, string? resultJson, string? errorText)
    {
        var (ok, message, error) = Parse(json);

        Assert.True(ok, error?.Message);
        Assert.Equal("call_1", message.ActionId);
        Assert.Equal(isOk, message.Ok);
        Assert.Equal(resultJson, message.ResultJson);
        Assert.Equal(errorText, message.Text);
    }

    [Theory]
    [InlineData("""{"type":"action_result"}""")]
    [InlineData("""{"type":"action_result","payload":{}}""")]
    [InlineData("""{"type":"action_result","payload":{"ok":true}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"","ok":true}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":null,"ok":true}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":12,"ok":true}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1"}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":"true"}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":1}}""")]
    [InlineData("""{"type":"action_result","payload":{"actionId":"call_1","ok":null}}""")]
    public void TryParse_BadActionResult_IsInvalidActionResult(string json)
    {
        var (ok, _, error) = Parse(json);

        Assert.False(ok);
        Assert.Equal(SessionErrorCodes.InvalidActionResult, error!.Code);
        Assert.Contains("actionId", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("playback")]
    [InlineData("interrupt")]
    [InlineData("action_result")]
    public void TryParse_VoiceKindsWithNonObjectPayload_AreInvalidMessage(string type)
    {
        var (ok, _, error) = Parse($$"""{"type":"{{type}}","payload":[1]}""");

        Assert.False(ok);
        Assert.Equal(SessionErrorCodes.InvalidMessage, error!.Code);
    }

    [Fact]
    public void TryParse_UnknownType_ListsTheVoiceKinds()
    {
        var (_, _, error) = Parse("""{"type":"speak"}""");

        Assert.Equal(SessionErrorCodes.UnknownType, error!.Code);
        foreach (var kind in new[] { "audio", "playback", "interrupt", "action_result" })
        {
            Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        }
    }
}
