using Switchboard.Server.Carriers;
using Switchboard.Server.Health;

namespace Switchboard.Server.Hosting;

/// <summary>Maps every gateway route.</summary>
public static class EndpointRouteBuilderExtensions
{
    /// <summary>Maps carriers (Twilio, Telnyx), health and (when enabled) diagnostics.</summary>
    public static IEndpointRouteBuilder MapSwitchboard(this IEndpointRouteBuilder routes)
    {
        TwilioEndpoints.Map(routes);
        TelnyxEndpoints.Map(routes);
        HealthEndpoints.Map(routes);
        DiagnosticsEndpoints.Map(routes);
        return routes;
    }
}
