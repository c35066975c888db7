namespace Switchboard.Webhooks;

/// <summary>Case-insensitive header lookup over any header collection, so the verifiers need no ASP.NET types.</summary>
internal static class WebhookHeaders
{
    /// <summary>The first value of header <paramref name="name"/> (ASCII case-insensitive), or null.</summary>
    public static string? Find(IEnumerable<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
