using Switchboard.Server.Carriers;
using Switchboard.Server.Health;

namespace Switchboard.Server.Hosting;

/// <summary>Maps every gateway route.</summary>
public static class EndpointRouteBuilderExtensions
{
    /// <summary>Maps carriers (Twilio, Telnyx) and health.</summary>
    public static IEndpointRouteBuilder MapSwitchboard(this IEndpointRouteBuilder routes)
    {
        TwilioEndpoints.Map(routes);
        TelnyxEndpoints.Map(routes);
        HealthEndpoints.Map(routes);
        return routes;
    }
}
