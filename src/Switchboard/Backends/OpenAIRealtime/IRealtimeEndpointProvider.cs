namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>Supplies the backend endpoint for a new call (the local backend's port is only known once it listens).</summary>
internal interface IRealtimeEndpointProvider
{
    /// <summary>The gateway's configured backend.</summary>
    RealtimeEndpoint GetEndpoint();

    /// <summary>
    /// The backend an endpoint asks for (<c>default</c>, <c>openai</c>, <c>azure</c>, <c>local</c>) with an optional
    /// model/deployment override; <see cref="InvalidOperationException"/> when that backend is not configured here.
    /// </summary>
    RealtimeEndpoint GetEndpoint(string backend, string? model);
}
