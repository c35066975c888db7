namespace Switchboard.Configuration;

/// <summary>Backend selection (section <c>Switchboard:Backend</c>).</summary>
public sealed record BackendOptions
{
    /// <summary>Which backend to use. <see cref="BackendKind.Auto"/> picks by the keys present.</summary>
    public BackendKind Kind { get; init; } = BackendKind.Auto;

    /// <summary>Seconds allowed for the backend WebSocket to connect and send <c>session.created</c>.</summary>
    public int ConnectTimeoutSeconds { get; init; } = 10;
}
