namespace Switchboard.Webhooks;

/// <summary>What a subscription's URL and event types must be; shared by the REST API and the local CLI so both refuse the same things.</summary>
internal static class WebhookSubscriptionRules
{
    public const int MaxUrlLength = 2000;

    /// <summary>An absolute http(s) URL with a host, at most <see cref="MaxUrlLength"/> characters.</summary>
    public static string? UrlProblem(string? url) =>
        string.IsNullOrEmpty(url) || url.Length > MaxUrlLength
        || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            ? $"url must be an absolute http:// or https:// URL of at most {MaxUrlLength} characters"
            : null;

    /// <summary>At least one type, each known.</summary>
    public static string? EventTypesProblem(IReadOnlyList<string>? types)
    {
        if (types is not { Count: > 0 } || types.Any(string.IsNullOrWhiteSpace))
        {
            return "eventTypes must list at least one of: " + string.Join(", ", WebhookEventTypes.All);
        }

        return types.FirstOrDefault(t => !WebhookEventTypes.IsKnown(t)) is { } unknown
            ? $"unknown event type '{(unknown.Length > 40 ? unknown[..40] + "…" : unknown)}'; known: {string.Join(", ", WebhookEventTypes.All)}"
            : null;
    }

    /// <summary>The types once each, in the order of <see cref="WebhookEventTypes.All"/>.</summary>
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string> types) =>
        WebhookEventTypes.All.Where(t => types.Contains(t, StringComparer.Ordinal)).ToList();
}
