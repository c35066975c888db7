using Switchboard.Agents;
using Switchboard.Chatbot;
using Switchboard.Common;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>
/// Chatbot channels and conversations (migration 8): a channel is bound to one endpoint across the whole gateway, follows
/// the endpoint's edits and deletion, and a conversation round-trips with its token hash; long-expired conversations are removed as new ones come.
/// </summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task ChatbotChannel_UniquePerGateway_FollowsEditsAndDeletion()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var bound = new AgentSpec { Chatbot = new ChatbotSpec { ChannelId = "tobi-1" } };
        var endpoint = await NewEndpointAsync(acme.Id, "bot", spec: bound);
        Assert.Equal(endpoint.Id, await Store.FindChatbotChannelAsync("tobi-1", None));
        Assert.Null(await Store.FindChatbotChannelAsync("tobi-2", None));

        var clash = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateEndpointAsync(Endpoint(other.Id, "copy", spec: bound), None));
        Assert.Contains("chatbot.channelId 'tobi-1'", clash.Message, StringComparison.Ordinal);

        Assert.True(await Store.UpdateEndpointAsync(endpoint with { Spec = endpoint.Spec with { Chatbot = new ChatbotSpec { ChannelId = "tobi-2" } } }, None));
        Assert.Null(await Store.FindChatbotChannelAsync("tobi-1", None));
        Assert.Equal(endpoint.Id, await Store.FindChatbotChannelAsync("tobi-2", None));

        Assert.True(await Store.DeleteEndpointAsync(acme.Id, endpoint.Id, None));
        Assert.Null(await Store.FindChatbotChannelAsync("tobi-2", None));
    }

    [Fact]
    public async Task ChatbotConversation_RoundTrips()
    {
        var (_, hash) = ChatbotTokens.Issue();
        var conversation = new ChatbotConversation
        {
            Id = "conv_1",
            ChannelId = "tobi-1",
            TeamId = Guid.NewGuid(),
            EndpointId = Guid.NewGuid(),
            SessionId = Guid.NewGuid(),
            TokenHash = hash,
            CreatedAt = T0,
            ExpiresAt = T0.AddHours(1),
        };
        await Store.CreateChatbotConversationAsync(conversation, None);

        var stored = await Store.GetChatbotConversationAsync("conv_1", None);
        Assert.Equal(conversation with { TokenHash = stored!.TokenHash }, stored);
        Assert.Equal(hash, stored.TokenHash);
        Assert.Null(await Store.GetChatbotConversationAsync("conv_2", None));

        // A conversation expired more than a day before a new one is created goes; a recently expired one stays (410, not 401).
        await Store.CreateChatbotConversationAsync(conversation with { Id = "conv_recent", CreatedAt = T0.AddHours(20), ExpiresAt = T0.AddHours(21) }, None);
        await Store.CreateChatbotConversationAsync(conversation with { Id = "conv_new", CreatedAt = T0.AddHours(26), ExpiresAt = T0.AddHours(27) }, None);
        Assert.Null(await Store.GetChatbotConversationAsync("conv_1", None));
        Assert.NotNull(await Store.GetChatbotConversationAsync("conv_recent", None));
        Assert.NotNull(await Store.GetChatbotConversationAsync("conv_new", None));
    }
}
