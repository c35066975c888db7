namespace Switchboard.Testing.Faults;

/// <summary>What a <see cref="FaultProxy"/> does to its connections.</summary>
public enum FaultMode
{
    /// <summary>Bytes flow both ways (after <see cref="FaultProxy.Delay"/>, when set).</summary>
    Forward,

    /// <summary>Bytes stop flowing both ways; the sockets stay open (a silent network partition).</summary>
    BlackHole,
}
