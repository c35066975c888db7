using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchboard.Journal;

/// <summary>
/// A call's metadata: what the caller's side attached to it (Twilio <c>customParameters</c>, the fields of Telnyx
/// <c>client_state</c> JSON), such as <c>lead_id</c> or <c>touch_run_id</c>. Kept once, as a JSON object of strings in the
/// <c>CallStarted</c> event, and shown unchanged in the call record, the artifact, the webhooks and hand-offs, so the
/// systems that started the call can match it. The gateway's own routing parameters are not metadata.
/// </summary>
internal static class CallMetadata
{
    /// <summary>At most this many entries are kept; the rest are dropped (a stream start is not a data store).</summary>
    public const int MaxEntries = 32;

    /// <summary>Longest key kept, in characters.</summary>
    public const int MaxKeyLength = 64;

    /// <summary>Longest value kept, in characters.</summary>
    public const int MaxValueLength = 1024;

    /// <summary>Parameters the gateway reads for routing (endpoint selection and its binding token), never passed on.</summary>
    public static readonly IReadOnlySet<string> RoutingParameters = new HashSet<string>(StringComparer.Ordinal) { "endpointId", "endpoint_id", "endpointToken" };

    /// <summary>
    /// The metadata of <paramref name="parameters"/> as a JSON object, or null when none is left: routing parameters are
    /// removed, and entries that are too long, too many, or not well-formed text are dropped.
    /// </summary>
    public static string? FromParameters(IReadOnlyDictionary<string, string> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var kept = 0;
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (kept == MaxEntries)
                {
                    break;
                }

                if (RoutingParameters.Contains(key) || key.Length is 0 or > MaxKeyLength || value is null || value.Length > MaxValueLength
                    || !IsWellFormed(key) || !IsWellFormed(value))
                {
                    continue;
                }

                w.WriteString(key, value);
                kept++;
            }

            w.WriteEndObject();
        }

        return kept == 0 ? null : Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The metadata recorded on a call's <c>CallStarted</c> event (its JSON text), or null.</summary>
    public static string? Of(CallEvent? started) =>
        started?.Data is { } data && data.TryGetValue(CallEventKeys.Metadata, out var json) && !string.IsNullOrEmpty(json) ? json : null;

    /// <summary>Parses recorded metadata into entries; empty when there is none or it is unreadable.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string? json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return result;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        result[property.Name] = property.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Written by FromParameters only; an unreadable value is treated as none.
        }

        return result;
    }

    /// <summary>Writes <c>"metadata": {…}</c> (an empty object when the call has none).</summary>
    public static void Write(Utf8JsonWriter w, string? json)
    {
        w.WritePropertyName("metadata");
        if (string.IsNullOrEmpty(json))
        {
            w.WriteStartObject();
            w.WriteEndObject();
            return;
        }

        w.WriteRawValue(json, skipInputValidation: false);
    }

    /// <summary>False for text with a lone UTF-16 surrogate (it has no UTF-8 form, so no JSON writer can carry it).</summary>
    internal static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
