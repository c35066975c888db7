using Switchboard.Server.Api;
using Switchboard.Server.Carriers;
using Switchboard.Server.Health;
using Switchboard.Server.Ops;
using Switchboard.Server.Sessions;
using Switchboard.Server.SipConnector;
using Switchboard.Server.Telegram;
using Switchboard.Server.Telemetry;
using Switchboard.Server.Web;

namespace Switchboard.Server.Hosting;

/// <summary>Maps every gateway route.</summary>
public static class EndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps carriers (Twilio, Telnyx, the OpenAI/Azure SIP connector's webhook), sessions (REST and WebSocket), health, (when enabled) diagnostics, the REST
    /// API under <c>/api/v1</c>, its OpenAPI document (<c>/openapi/v1.json</c>) and reference page (<c>/docs/api</c>), the keyless demo routes and the talk page with its JavaScript client.
    /// </summary>
    public static IEndpointRouteBuilder MapSwitchboard(this IEndpointRouteBuilder routes)
    {
        TwilioEndpoints.Map(routes);
        TelnyxEndpoints.Map(routes);
        SipWebhookEndpoints.Map(routes);
        TelegramEndpoints.Map(routes);
        SessionEndpoints.Map(routes);
        Chatbot.ChatbotEndpoints.Map(routes);
        DemoEndpoints.Map(routes);
        HealthEndpoints.Map(routes);
        MetricsEndpoint.Map(routes);
        DiagnosticsEndpoints.Map(routes);
        TeamEndpoints.Map(routes);
        KeyEndpoints.Map(routes);
        AgentEndpointRoutes.Map(routes);
        RuntimeEndpoints.Map(routes);
        CallEndpoints.Map(routes);
        UsageEndpoints.Map(routes);
        OpsEndpoints.Map(routes);
        WebhookEndpoints.Map(routes);
        AdminEndpoints.Map(routes);
        routes.MapOpenApi(ApiDocument.RoutePattern);
        ApiReferencePage.Map(routes);
        WebAssets.Map(routes);
        return routes;
    }
}
