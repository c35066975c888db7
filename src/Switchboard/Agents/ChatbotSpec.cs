namespace Switchboard.Agents;

/// <summary>
/// An endpoint's binding to an external chatbot that answers in text while the gateway does the voice: the chatbot calls
/// back on <c>POST /api/v1/webhooks/tobi/{channelId}</c> (docs/migrating.md). A channel id is unique per gateway, because
/// the callback's URL is all that names it.
/// </summary>
internal sealed record ChatbotSpec
{
    /// <summary><c>[A-Za-z0-9._:-]{1,128}</c>.</summary>
    public required string ChannelId { get; init; }
}
