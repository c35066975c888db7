namespace Switchboard.Server.Cluster;

/// <summary>The answer to a hang-up of a call on another node: the HTTP status, a detail, and the end reason when it ends.</summary>
internal sealed record RemoteHangup(int Status, string Detail, string? EndReason);
