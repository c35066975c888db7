using Switchboard.Server.Carriers;
using Switchboard.Server.Health;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Hosting;

/// <summary>Maps every gateway route.</summary>
public static class EndpointRouteBuilderExtensions
{
    /// <summary>Maps carriers (Twilio, Telnyx), sessions (REST and WebSocket), health and (when enabled) diagnostics.</summary>
    public static IEndpointRouteBuilder MapSwitchboard(this IEndpointRouteBuilder routes)
    {
        TwilioEndpoints.Map(routes);
        TelnyxEndpoints.Map(routes);
        SessionEndpoints.Map(routes);
        HealthEndpoints.Map(routes);
        DiagnosticsEndpoints.Map(routes);
        return routes;
    }
}
