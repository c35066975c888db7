using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>Names an OpenAI-like endpoint that is never dialled (the harness's connector answers instead), or none when <see cref="Unavailable"/>.</summary>
internal sealed class FakeEndpointProvider : IRealtimeEndpointProvider
{
    public bool Unavailable { get; set; }

    /// <summary>Backends (<c>openai</c>, <c>azure</c>, …) this fake gateway does not run.</summary>
    public HashSet<string> NotConfigured { get; } = new(StringComparer.Ordinal);

    public RealtimeEndpoint GetEndpoint() => RealtimeEndpoint.ForOpenAI("wss://realtime.harness.invalid/v1/realtime", "gpt-realtime", "sk-harness");

    public RealtimeEndpoint GetEndpoint(string backend, string? model)
    {
        if (Unavailable || NotConfigured.Contains(backend))
        {
            throw new InvalidOperationException($"harness: backend '{backend}' is not configured");
        }

        return string.IsNullOrEmpty(model) ? GetEndpoint() : GetEndpoint().WithModel(model);
    }
}
