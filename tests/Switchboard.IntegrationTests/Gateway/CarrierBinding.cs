using Microsoft.Extensions.DependencyInjection;
using Switchboard.Carriers;
using Switchboard.Server.Sessions;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>The stream parameters that let an unsigned carrier stream name an endpoint: its id and its gateway-issued token.</summary>
internal static class CarrierBinding
{
    public static async Task<string> TokenAsync(GatewayFixture gateway, Guid endpointId) =>
        EndpointBinding.Issue(await gateway.App.Services.GetRequiredService<SessionTokenSource>().GetEndpointBindingKeyAsync(CancellationToken.None), endpointId);

    public static async Task<IReadOnlyList<KeyValuePair<string, string>>> ParametersAsync(GatewayFixture gateway, Guid endpointId) =>
        [new("endpointId", endpointId.ToString("D")), new(EndpointBinding.TokenParameter, await TokenAsync(gateway, endpointId))];
}
