using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Switchboard.Transport;

/// <summary>
/// Opens client WebSockets without keeping an HTTP stack behind them: socket, TLS for <c>wss</c>, the RFC 6455
/// handshake written and checked here, then the runtime's own WebSocket over that stream.
/// <see cref="ClientWebSocket"/> keeps its whole <c>SocketsHttpHandler</c> connection (two 4 KiB buffers
/// included) alive for the life of every socket; per call, that was most of the agent leg's memory.
/// </summary>
internal static class WebSocketClient
{
    /// <summary>Largest handshake response head accepted; real servers send well under 1 KiB.</summary>
    public const int MaxResponseHeadBytes = 16 * 1024;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Connects to a <c>ws://</c> or <c>wss://</c> URL with extra request <paramref name="headers"/>.
    /// Failures are <see cref="WebSocketException"/> (a refused connection, a TLS error, a non-101 answer with its
    /// status code), <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires, and
    /// <see cref="ArgumentException"/> for a header that cannot be sent. When the default proxy would carry the
    /// URL, the connection goes through <see cref="ClientWebSocket"/> instead, which speaks CONNECT.
    /// With a <paramref name="keepAliveTimeout"/>, the keep-alive is a ping that must be answered within it, or the
    /// socket is aborted (a silent, black-holed peer is noticed); without, unsolicited pongs that expect no answer.
    /// </summary>
    public static async Task<WebSocket> ConnectAsync(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, TimeSpan keepAliveInterval,
        CancellationToken cancellationToken, TimeSpan? keepAliveTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(headers);
        var secure = WebSocketHandshake.IsSecure(url);
        var key = WebSocketHandshake.NewKey();
        var request = WebSocketHandshake.BuildRequest(url, headers, key);

        // Operators behind an egress proxy keep working: the proxied (rarer) path pays the HTTP stack's memory.
        if (UsesProxy(url, HttpClient.DefaultProxy))
        {
            return await ConnectThroughProxyAsync(url, headers, keepAliveInterval, keepAliveTimeout, cancellationToken).ConfigureAwait(false);
        }

        Stream? stream = null;
        try
        {
            stream = await OpenAsync(url, secure, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var early = await ReadResponseAsync(stream, key, cancellationToken).ConfigureAwait(false);
            if (!secure && stream is not LoopStream)
            {
                // One recv per message (or several) instead of one for the header and one for the payload; TLS
                // already reads whole records into its own buffer.
                stream = new ReadAheadStream(stream);
            }

            if (early.Length > 0)
            {
                stream = new PrefixedStream(stream, early);
            }

            // The WebSocket owns the stream from here: Dispose/Abort close the stream, and with it the socket.
            return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
            {
                IsServer = false,
                KeepAliveInterval = keepAliveInterval,
                KeepAliveTimeout = keepAliveTimeout ?? Timeout.InfiniteTimeSpan,
            });
        }
        catch (Exception ex) when (ex is not (WebSocketException or OperationCanceledException))
        {
            stream?.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            // Callers handle WebSocketException; socket and TLS errors would otherwise escape them.
            throw new WebSocketException(WebSocketError.Faulted, "Unable to connect to the remote server: " + ex.Message, ex);
        }
        catch
        {
            stream?.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="proxy"/> would send <paramref name="url"/> through a proxy rather than directly.</summary>
    public static bool UsesProxy(Uri url, IWebProxy? proxy)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (proxy is null)
        {
            return false;
        }

        // Proxy settings are keyed by the HTTP scheme the upgrade request travels as.
        var target = new UriBuilder(url) { Scheme = url.Scheme == "wss" ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, Port = WebSocketHandshake.Port(url) }.Uri;
        if (proxy.IsBypassed(target))
        {
            return false;
        }

        var via = proxy.GetProxy(target);
        return via is not null && via != target;
    }

    private static async Task<Stream> OpenAsync(Uri url, bool secure, CancellationToken cancellationToken)
    {
        var host = WebSocketHandshake.ConnectHost(url);
        if (EventLoop.InUse)
        {
            return await OpenOnLoopAsync(host, WebSocketHandshake.Port(url), secure, cancellationToken).ConfigureAwait(false);
        }

        // Dual-mode where the OS has IPv6; ConnectAsync tries each resolved address in turn.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(host, WebSocketHandshake.Port(url)), cancellationToken).ConfigureAwait(false);
            var network = new NetworkStream(socket, ownsSocket: true);
            if (!secure)
            {
                return network;
            }

            return await AuthenticateAsync(network, host, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>TLS over <paramref name="connection"/> (disposed with it, also on failure).</summary>
    private static async Task<Stream> AuthenticateAsync(Stream connection, string host, CancellationToken cancellationToken)
    {
        var tls = new SslStream(connection, leaveInnerStreamOpen: false);
        try
        {
            // Default certificate validation: no callback, so an untrusted or mismatched certificate fails.
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return tls;
    }

    /// <summary>
    /// The same connection on an <see cref="EventLoop"/>: the socket is connected and served by the loop (reads read
    /// ahead by <see cref="LoopStream"/>), TLS on top for <c>wss</c>.
    /// </summary>
    private static async Task<Stream> OpenOnLoopAsync(string host, int port, bool secure, CancellationToken cancellationToken)
    {
        var addresses = System.Net.IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var stream = new LoopStream(await LoopSocket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false));
        if (!secure)
        {
            return stream;
        }

        return await AuthenticateAsync(stream, host, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads and checks the response head; returns the bytes that arrived after it, which already belong to the
    /// WebSocket (servers often send their first message in the same segment as the 101).
    /// </summary>
    private static async Task<byte[]> ReadResponseAsync(Stream stream, string key, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxResponseHeadBytes);
        try
        {
            var filled = 0;
            int end;
            while ((end = buffer.AsSpan(0, filled).IndexOf(HeadEnd)) < 0)
            {
                if (filled == MaxResponseHeadBytes)
                {
                    throw new WebSocketException(WebSocketError.HeaderError,
                        $"The server's handshake response headers exceed {MaxResponseHeadBytes} bytes.");
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled, MaxResponseHeadBytes - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                        "The server closed the connection during the WebSocket handshake.");
                }

                filled += read;
            }

            WebSocketHandshake.ValidateResponse(buffer.AsSpan(0, end), key);
            return buffer.AsSpan(end + HeadEnd.Length, filled - end - HeadEnd.Length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<WebSocket> ConnectThroughProxyAsync(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, TimeSpan keepAliveInterval, TimeSpan? keepAliveTimeout,
        CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            foreach (var (name, value) in headers)
            {
                socket.Options.SetRequestHeader(name, value);
            }

            socket.Options.KeepAliveInterval = keepAliveInterval;
            socket.Options.KeepAliveTimeout = keepAliveTimeout ?? Timeout.InfiniteTimeSpan;
            await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
