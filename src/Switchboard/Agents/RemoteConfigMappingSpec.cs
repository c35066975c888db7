namespace Switchboard.Agents;

/// <summary>
/// How to read an app's own configuration answer (a multi-tenant org server's <c>GET …/api/realtime/org-config?orgId=…</c>):
/// which field becomes the instructions, which the greeting, and which object is appended to the instructions as JSON (a
/// menu). Each is a field name, or a dotted path into nested objects (<c>settings.greeting</c>). Other fields of the
/// answer are ignored; a named field the answer lacks keeps the endpoint's stored value.
/// </summary>
internal sealed record RemoteConfigMappingSpec
{
    /// <summary>The field whose string becomes the instructions (e.g. <c>systemPrompt</c>).</summary>
    public string? Instructions { get; init; }

    /// <summary>The field whose string (or null) becomes the greeting (e.g. <c>settings.greeting</c>).</summary>
    public string? Greeting { get; init; }

    /// <summary>The field whose object or array is appended to the instructions as JSON (e.g. <c>menu</c>).</summary>
    public string? Menu { get; init; }
}
