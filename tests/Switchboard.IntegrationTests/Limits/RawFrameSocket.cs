using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.IntegrationTests.Limits;

/// <summary>
/// A WebSocket client written frame by frame over a raw TCP connection, so a test can send what no WebSocket library
/// would (a continuation first, invalid UTF-8 in a text frame, a frame that announces more than it sends) and see exactly
/// how the gateway ends the connection: which close frame, and whether the TCP connection then ends with a FIN or a reset.
/// </summary>
internal sealed class RawFrameSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawFrameSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Opens a WebSocket to <paramref name="url"/> (ws://host:port/path?query) and checks the 101 answer.</summary>
    public static async Task<RawFrameSocket> ConnectAsync(string url)
    {
        var uri = new Uri(url);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        var socket = new RawFrameSocket(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var head = await socket.ReadHeadAsync();
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("no WebSocket upgrade: " + head);
        }

        return socket;
    }

    /// <summary>Sends one masked frame. <paramref name="announced"/> overrides the length in the header (a frame that never completes).</summary>
    public async Task SendFrameAsync(byte opcode, bool fin, byte[] payload, long? announced = null)
    {
        var length = announced ?? payload.Length;
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (length < 126)
        {
            frame.Add((byte)(0x80 | length));
        }
        else if (length <= ushort.MaxValue)
        {
            frame.Add(0x80 | 126);
            var bytes = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)length);
            frame.AddRange(bytes);
        }
        else
        {
            frame.Add(0x80 | 127);
            var bytes = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)length);
            frame.AddRange(bytes);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await _stream.WriteAsync(frame.ToArray());
    }

    /// <summary>Sends one whole text message.</summary>
    public Task SendTextAsync(string text) => SendFrameAsync(0x1, true, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Reads frames until the gateway's close frame and answers it, then reads until the connection ends. Returns the
    /// close code (null when the connection ended without one) and whether the end was a reset rather than a FIN.
    /// </summary>
    /// <param name="timeout">How long to wait for the close and the end of the connection.</param>
    /// <param name="answerDelay">
    /// How long the client takes to answer the close, as a slow peer does: the gateway must still be reading (lingering) then,
    /// or its close, with the answer still to come and possibly unread bytes, becomes a reset.
    /// </param>
    public async Task<(int? Code, string Reason, bool Reset)> ReadCloseAsync(TimeSpan timeout, TimeSpan answerDelay = default)
    {
        using var cts = new CancellationTokenSource(timeout);
        int? code = null;
        var reason = "";
        try
        {
            while (code is null)
            {
                var first = await ReadByteAsync(cts.Token);
                var second = await ReadByteAsync(cts.Token);
                if (first < 0 || second < 0)
                {
                    return (null, "", false);
                }

                long length = second & 0x7F;
                if (length == 126)
                {
                    length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2, cts.Token));
                }
                else if (length == 127)
                {
                    length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8, cts.Token));
                }

                var payload = await ReadExactlyAsync((int)length, cts.Token);
                if ((first & 0x0F) == 0x8)
                {
                    code = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
                    reason = payload.Length > 2 ? Encoding.UTF8.GetString(payload, 2, payload.Length - 2) : "";
                }
            }

            // Answer the close as a client does, then wait for the server to end the TCP connection.
            if (answerDelay > TimeSpan.Zero)
            {
                await Task.Delay(answerDelay, cts.Token);
            }

            try
            {
                await SendFrameAsync(0x8, true, [(byte)(code.Value >> 8), (byte)code.Value]);
            }
            catch (IOException ex)
            {
                LastEnd = "reset when answering the close: " + ex.Message;
                return (code, reason, true);
            }

            var buffer = new byte[4096];
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return (code, reason, false);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            LastEnd = (code is null ? "reset before the close frame: " : "reset after answering the close: ") + ex.Message;
            return (code, reason, true);
        }
    }

    /// <summary>How the connection ended, for a failing assertion's message.</summary>
    public string LastEnd { get; private set; } = "";

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<string> ReadHeadAsync()
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await _stream.ReadAsync(one) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString(head.ToArray());
    }

    private async Task<int> ReadByteAsync(CancellationToken cancellationToken)
    {
        var one = new byte[1];
        return await _stream.ReadAsync(one, cancellationToken) == 0 ? -1 : one[0];
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        await _stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }
}
