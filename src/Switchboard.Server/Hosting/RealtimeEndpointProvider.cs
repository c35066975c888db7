using Microsoft.Extensions.Options;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;
using Switchboard.LocalAgent.Hosting;

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

    public RealtimeEndpoint GetEndpoint() => GetEndpoint("default", null);

    public RealtimeEndpoint GetEndpoint(string backend, string? model)
    {
        var kind = backend switch
        {
            "openai" => BackendKind.OpenAI,
            "azure" => BackendKind.Azure,
            "local" => BackendKind.Local,
            _ => Kind,
        };
        switch (kind)
        {
            case BackendKind.OpenAI:
                if (string.IsNullOrEmpty(_options.OpenAI.ApiKey))
                {
                    throw new InvalidOperationException("the openai backend is not configured on this gateway (OPENAI_API_KEY)");
                }

                return RealtimeEndpoint.ForOpenAI(_options.OpenAI.RealtimeUrl, string.IsNullOrEmpty(model) ? _options.OpenAI.Model : model, _options.OpenAI.ApiKey);
            case BackendKind.Azure:
                if (string.IsNullOrEmpty(_options.Azure.Endpoint) || string.IsNullOrEmpty(_options.Azure.ApiKey))
                {
                    throw new InvalidOperationException("the azure backend is not configured on this gateway (AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY)");
                }

                var deployment = string.IsNullOrEmpty(model) ? _options.Azure.Deployment : model;
                if (string.IsNullOrEmpty(deployment))
                {
                    throw new InvalidOperationException("no azure deployment configured (AZURE_OPENAI_DEPLOYMENT or the endpoint's model)");
                }

                return RealtimeEndpoint.ForAzure(_options.Azure.Endpoint, deployment, _options.Azure.ApiKey);
            default:
                var host = _services.GetService<LocalRealtimeHost>()
                    ?? throw new InvalidOperationException("the local backend is not running on this gateway (it runs when no OpenAI/Azure key is configured)");
                var url = host.Url ?? throw new InvalidOperationException("the local realtime backend is not listening");
                return RealtimeEndpoint.ForLocal(url, host.ApiKey, string.IsNullOrEmpty(model) ? _options.OpenAI.Model : model);
        }
    }
}
