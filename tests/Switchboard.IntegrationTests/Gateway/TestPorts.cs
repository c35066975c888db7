using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>
/// Ports for a listener that another process (or a later step of the test) opens after the port was chosen.
/// </summary>
/// <remarks>
/// Asking the kernel for port 0 and closing it hands out an <em>ephemeral</em> port: any outgoing connection or other
/// port-0 listener of the parallel test run may take it before the real listener binds (CI once failed on exactly this).
/// Ports are therefore drawn below the ephemeral range, which the kernel never hands out by itself, checked free by
/// binding, and never given twice in one test run.
/// </remarks>
public static class TestPorts
{
    private static readonly ConcurrentDictionary<int, byte> Given = new();
    private static readonly int Ceiling = EphemeralFloor();

    /// <summary>A loopback TCP port that was free just now and lies outside the kernel's ephemeral range.</summary>
    public static int Unused()
    {
        var floor = Math.Max(1024, Ceiling - 12_000);
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var port = Random.Shared.Next(floor, Ceiling);
            if (!Given.TryAdd(port, 0))
            {
                continue;
            }

            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Someone listens there already; draw another.
            }
        }

        throw new InvalidOperationException("no unused port below the ephemeral range");
    }

    private static int EphemeralFloor()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            var first = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
