using System.Text.Json;
using Switchboard.Chatbot;

namespace Switchboard.Tests.Chatbot;

public class ChatbotCallbackTests
{
    private static bool Parse(string json, out ChatbotCallback? callback, out string? field) =>
        ChatbotCallback.TryParse(JsonDocument.Parse(json).RootElement, out callback, out field, out _);

    [Fact]
    public void TryParse_TextsFromStringsAndTextObjects_OthersSkipped()
    {
        Assert.True(Parse("""{"conversation":{"identifier":{"id":"conv_1"}},"messages":["hi",{"type":"text","text":"there"},{"type":"card"}," "],"metadata":{"a":1}}""", out var callback, out _));
        Assert.Equal("conv_1", callback!.ConversationId);
        Assert.Equal(["hi", "there"], callback.Texts);
    }

    [Theory]
    [InlineData("""{}""", "conversation.identifier.id")]
    [InlineData("""{"conversation":{"identifier":{"id":null}}}""", "conversation.identifier.id")]
    [InlineData("""{"conversation":{"identifier":{"id":""}}}""", "conversation.identifier.id")]
    [InlineData("""{"conversation":"x"}""", "conversation.identifier.id")]
    [InlineData("""{"conversation":{"identifier":{"id":"c"}},"messages":{}}""", "messages")]
    [InlineData("""{"conversation":{"identifier":{"id":"c"}},"metadata":"m"}""", "metadata")]
    public void TryParse_Invalid_NamesTheField(string json, string expected)
    {
        Assert.False(Parse(json, out _, out var field));
        Assert.Equal(expected, field);
    }

    [Fact]
    public void Tokens_MatchOnlyTheirOwnHash()
    {
        var (token, hash) = ChatbotTokens.Issue();
        Assert.True(ChatbotTokens.Matches(token, hash));
        Assert.False(ChatbotTokens.Matches(token + "x", hash));
        Assert.False(ChatbotTokens.Matches(null, hash));
        Assert.False(ChatbotTokens.Matches("", hash));
        Assert.NotEqual(token, ChatbotTokens.Issue().Token);
    }
}
