namespace Switchboard.Cli.Simulation;

/// <summary>
/// One message received from the gateway, as the carrier understood it. <see cref="Problem"/> explains why a
/// message is <see cref="GatewayMessageKind.Invalid"/> or <see cref="GatewayMessageKind.Unknown"/>.
/// </summary>
internal sealed record GatewayMessage(
    GatewayMessageKind Kind,
    string Raw,
    string? Event = null,
    byte[]? Payload = null,
    string? MarkName = null,
    string? Problem = null);
