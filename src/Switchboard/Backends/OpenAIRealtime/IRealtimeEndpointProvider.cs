namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>Supplies the backend endpoint for a new call (the local backend's port is only known once it listens).</summary>
internal interface IRealtimeEndpointProvider
{
    RealtimeEndpoint GetEndpoint();
}
