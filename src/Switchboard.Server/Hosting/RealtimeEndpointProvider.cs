using Microsoft.Extensions.Options;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;
using Switchboard.Server.LocalBackend;

namespace Switchboard.Server.Hosting;

/// <summary>Picks the backend endpoint from configuration; the local backend's URL and key come from its running host.</summary>
internal sealed class RealtimeEndpointProvider : IRealtimeEndpointProvider
{
    private readonly SwitchboardOptions _options;
    private readonly IServiceProvider _services;

    public RealtimeEndpointProvider(IOptions<SwitchboardOptions> options, IServiceProvider services)
    {
        _options = options.Value;
        _services = services;
    }

    public BackendKind Kind => EffectiveBackend.Resolve(_options);

    public RealtimeEndpoint GetEndpoint()
    {
        switch (Kind)
        {
            case BackendKind.OpenAI:
                return RealtimeEndpoint.ForOpenAI(_options.OpenAI.RealtimeUrl, _options.OpenAI.Model, _options.OpenAI.ApiKey!);
            case BackendKind.Azure:
                return RealtimeEndpoint.ForAzure(_options.Azure.Endpoint!, _options.Azure.Deployment!, _options.Azure.ApiKey!);
            default:
                var host = _services.GetRequiredService<LocalRealtimeHost>();
                var url = host.Url ?? throw new InvalidOperationException("the local realtime backend is not listening");
                return RealtimeEndpoint.ForLocal(url, host.ApiKey, _options.OpenAI.Model);
        }
    }
}
