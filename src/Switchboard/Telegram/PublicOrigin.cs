using Microsoft.Extensions.Options;
using Switchboard.Configuration;

namespace Switchboard.Telegram;

/// <summary>
/// Where the Mini App is reached from outside: the configured URL (<c>static-public-url</c>), or the URL the managed tunnel
/// printed (<c>managed-quick-tunnel</c>, set by <see cref="QuickTunnel"/>; null until it has one).
/// </summary>
internal sealed class PublicOrigin
{
    private volatile string? _current;

    public PublicOrigin(IOptions<SwitchboardOptions> options)
    {
        var o = options.Value;
        Mode = o.Realtime.TunnelMode;
        if (Mode == "static-public-url")
        {
            var url = string.IsNullOrWhiteSpace(o.Realtime.PublicUrl) ? o.PublicBaseUrl : o.Realtime.PublicUrl;
            _current = string.IsNullOrWhiteSpace(url) ? null : url.TrimEnd('/');
        }
    }

    /// <summary><c>static-public-url</c> or <c>managed-quick-tunnel</c>.</summary>
    public string Mode { get; }

    /// <summary>The origin without a trailing slash, or null when there is none yet.</summary>
    public string? Current => _current;

    /// <summary>The tunnel's new URL (or null while it restarts).</summary>
    public void Set(string? url) => _current = url?.TrimEnd('/');
}
