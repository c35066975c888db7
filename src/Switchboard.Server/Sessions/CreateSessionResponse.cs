using System.Text.Json.Serialization;

namespace Switchboard.Server.Sessions;

/// <summary>The body of <c>201 Created</c> from <c>POST /api/v1/sessions</c>.</summary>
internal sealed record CreateSessionResponse(Guid SessionId, string WsToken, int WsTokenExpiresIn, int ExpiresIn, string WsUrl)
{
    /// <summary>The chatbot conversation this session opened (an endpoint with a <c>chatbot</c> binding only); its token is shown only here.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChatbotConversationResponse? Chatbot { get; init; }

    /// <summary>The WebRTC domain (<c>Switchboard:Sessions:WebRtc:TelproDomain</c>), in <c>voice_conversation</c> only, when configured.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TelproDomain { get; init; }

    /// <summary>The WebRTC gateway's URL (<c>Switchboard:Sessions:WebRtc:GatewayUrl</c>), in <c>voice_conversation</c> only, when configured.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WebrtcGatewayUrl { get; init; }
}
