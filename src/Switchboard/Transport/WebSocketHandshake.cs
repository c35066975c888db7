using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Transport;

/// <summary>
/// The client side of the RFC 6455 opening handshake as pure functions: the request bytes and the check of
/// the server's response head. No I/O, so every rule is unit-testable.
/// </summary>
internal static class WebSocketHandshake
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    // Headers the handshake writes itself (or whose negotiation this client does not support).
    private static readonly string[] ReservedHeaders =
        ["Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol"];

    /// <summary>A fresh <c>Sec-WebSocket-Key</c>: 16 random bytes, base64.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>The <c>Sec-WebSocket-Accept</c> a server must answer to <paramref name="key"/>.</summary>
    public static string ExpectedAccept(string key)
    {
#pragma warning disable CA5350 // RFC 6455 defines the accept value as SHA-1; it proves the server read the key, nothing more.
        return Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
#pragma warning restore CA5350
    }

    /// <summary>
    /// The <c>Host</c> header for <paramref name="url"/>: IDN hosts in punycode, IPv6 in brackets, the port only
    /// when it is not the scheme's default.
    /// </summary>
    public static string HostHeader(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var host = url.HostNameType == UriHostNameType.IPv6 ? "[" + ConnectHost(url) + "]" : url.IdnHost;
        return Port(url) == DefaultPort(url) ? host : host + ":" + Port(url).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The host name or address to resolve and to name in TLS (no IPv6 brackets).</summary>
    public static string ConnectHost(Uri url) => url.IdnHost.Trim('[', ']');

    /// <summary>The TCP port: the explicit one, or 80 for <c>ws</c> and 443 for <c>wss</c>.</summary>
    public static int Port(Uri url) => url.Port > 0 ? url.Port : DefaultPort(url);

    /// <summary>True for <c>wss://</c>; <see cref="ArgumentException"/> for anything but <c>ws</c>/<c>wss</c>.</summary>
    public static bool IsSecure(Uri url) => url.Scheme switch
    {
        "wss" => true,
        "ws" => false,
        _ => throw new ArgumentException($"Only ws:// and wss:// URLs are supported (got '{url.Scheme}').", nameof(url)),
    };

    /// <summary>
    /// The request head: <c>GET</c>, <c>Host</c>, the upgrade headers, then <paramref name="headers"/>.
    /// Throws <see cref="ArgumentException"/> for a header that could split the request (CR/LF, non-ASCII,
    /// a name that is not a token) or that the handshake owns; messages name the header, never its value,
    /// because values carry API keys.
    /// </summary>
    public static byte[] BuildRequest(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, string key)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(headers);
        var request = new StringBuilder(256);
        request.Append("GET ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(HostHeader(url)).Append("\r\n")
            .Append("Upgrade: websocket\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n")
            .Append("Sec-WebSocket-Version: 13\r\n");
        foreach (var (name, value) in headers)
        {
            ValidateHeader(name, value);
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        request.Append("\r\n");
        return Encoding.ASCII.GetBytes(request.ToString());
    }

    /// <summary>
    /// Checks a response head (everything before the blank line): <c>HTTP/1.1 101</c>, <c>Upgrade: websocket</c>,
    /// <c>Connection</c> naming <c>upgrade</c>, and the accept value for <paramref name="key"/> (compared in
    /// constant time). Throws <see cref="WebSocketException"/> otherwise; a non-101 status is reported with its
    /// code and reason phrase in ClientWebSocket's wording.
    /// </summary>
    public static void ValidateResponse(ReadOnlySpan<byte> head, string key)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split('\n');
        var (version, status, reason) = ParseStatusLine(lines[0].TrimEnd('\r'));
        if (status != 101)
        {
            var suffix = reason.Length > 0 ? $" ({reason})" : "";
            throw new WebSocketException(WebSocketError.NotAWebSocket,
                $"The server returned status code '{status}' when status code '101' was expected{suffix}.");
        }

        if (version != "HTTP/1.1")
        {
            throw HeaderError($"The server answered the upgrade with {version}; HTTP/1.1 is required.");
        }

        var upgrade = false;
        var connection = false;
        string? accept = null;
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] is ' ' or '\t' || char.IsWhiteSpace(line[colon - 1]))
            {
                throw HeaderError("The server's handshake response has a malformed header line.");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
            {
                upgrade = value.Equals("websocket", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                connection |= value.Split(',').Any(t => t.Trim(' ', '\t').Equals("upgrade", StringComparison.OrdinalIgnoreCase));
            }
            else if (name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
            {
                accept = accept is null ? value : throw HeaderError("The server sent more than one 'Sec-WebSocket-Accept' header.");
            }
            else if (name.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Sec-WebSocket-Protocol", StringComparison.OrdinalIgnoreCase))
            {
                // Nothing was offered, so anything accepted here would change the framing behind our back.
                throw HeaderError($"The server selected a '{name}' that was not requested.");
            }
        }

        if (!upgrade)
        {
            throw HeaderError("The server's 'Upgrade' header is missing or is not 'websocket'.");
        }

        if (!connection)
        {
            throw HeaderError("The server's 'Connection' header is missing or does not contain 'upgrade'.");
        }

        if (accept is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ExpectedAccept(key)), Encoding.ASCII.GetBytes(accept)))
        {
            throw HeaderError("The server's 'Sec-WebSocket-Accept' header is missing or does not match the key sent.");
        }
    }

    private static (string Version, int Status, string Reason) ParseStatusLine(string line)
    {
        // "HTTP/1.1 101 Switching Protocols": version, three-digit code, optional reason phrase.
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length != 3
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status))
        {
            throw HeaderError("The server's handshake response does not start with an HTTP/1.x status line.");
        }

        return (parts[0], status, parts.Length == 3 ? Printable(parts[2], 100) : "");
    }

    /// <summary>The reason phrase goes into logs: keep it printable ASCII and short.</summary>
    private static string Printable(string text, int max)
    {
        var kept = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (kept.Length == max)
            {
                break;
            }

            if (c is >= ' ' and <= '~')
            {
                kept.Append(c);
            }
        }

        return kept.ToString().Trim();
    }

    private static void ValidateHeader(string name, string value)
    {
        if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
        {
            throw new ArgumentException("A WebSocket request header name is empty or contains characters not allowed in an HTTP token.", nameof(name));
        }

        if (ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The WebSocket request header '{name}' is set by the handshake and cannot be supplied.", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"The value of the WebSocket request header '{name}' contains CR or LF.", nameof(value));
        }

        if (value.Any(c => c is not ('\t' or (>= ' ' and <= '~'))))
        {
            throw new ArgumentException($"The value of the WebSocket request header '{name}' contains a control or non-ASCII character.", nameof(value));
        }
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static int DefaultPort(Uri url) => url.Scheme == "wss" ? 443 : 80;

    private static WebSocketException HeaderError(string message) => new(WebSocketError.HeaderError, message);
}
