using System.Text.RegularExpressions;
using Switchboard.Network;

namespace Switchboard.Agents.Tools;

/// <summary>What an HTTP tool's declaration must satisfy, checked when an endpoint is written.</summary>
internal static partial class HttpToolRules
{
    public static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH"];

    public static IEnumerable<string> Check(HttpToolSpec http, OutboundPolicy outbound)
    {
        if (!Uri.TryCreate(http.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            yield return "http.url must be an absolute http(s) URL";
        }
        else if (!string.IsNullOrEmpty(url.UserInfo))
        {
            yield return "http.url must not carry credentials; use a header with a secret";
        }
        else if (outbound.UrlProblem(url) is { } refused)
        {
            yield return "http.url " + refused;
        }

        if (!Methods.Contains(http.Method ?? "POST", StringComparer.Ordinal))
        {
            yield return $"http.method must be one of {string.Join(", ", Methods)}";
        }

        if (http.MaxResponseBytes is < 1 or > 1024 * 1024)
        {
            yield return "http.maxResponseBytes must be 1-1048576";
        }

        foreach (var header in http.Headers ?? [])
        {
            if (string.IsNullOrWhiteSpace(header.Name) || !Token().IsMatch(header.Name))
            {
                yield return $"header name '{header.Name}' is not a valid HTTP header name";
                continue;
            }

            if ((header.Value is null) == (header.Secret is null))
            {
                yield return $"header '{header.Name}' needs exactly one of value and secret";
            }

            if (header.Value is not null && IsCredentialHeader(header.Name))
            {
                // The endpoint document is readable through the API: credentials live in the gateway's configuration.
                yield return $"header '{header.Name}' carries a credential; reference it with \"secret\" instead of a literal value";
            }

            if (header.Secret is not null && !SecretName().IsMatch(header.Secret))
            {
                yield return $"header '{header.Name}': secret name must match [A-Za-z0-9_-]{{1,64}}";
            }

            if (header.Format is not null && (header.Secret is null || !header.Format.Contains("{secret}", StringComparison.Ordinal)))
            {
                yield return $"header '{header.Name}': format needs a secret and must contain {{secret}}";
            }

            if ((header.Value ?? header.Format ?? "").AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                yield return $"header '{header.Name}' must be a single line";
            }
        }
    }

    /// <summary>Headers whose value is a credential by name: <c>Authorization</c>, cookies, anything with key, token or secret in it.</summary>
    public static bool IsCredentialHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
        || name.Contains("key", StringComparison.OrdinalIgnoreCase)
        || name.Contains("token", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")]
    private static partial Regex Token();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SecretName();
}
