using System.Collections;
using System.Globalization;
using System.Text;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Logging;

/// <summary>
/// A log line after masking: its values (text values masked, the rest as they were, the template kept under
/// <c>{OriginalFormat}</c> as providers expect) and its message rendered from them.
/// </summary>
internal sealed class RedactedLogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string OriginalFormat = "{OriginalFormat}";

    public static readonly Func<RedactedLogState, Exception?, string> Format = static (state, _) => state.Message;

    private readonly List<KeyValuePair<string, object?>> _values;

    private RedactedLogState(List<KeyValuePair<string, object?>> values, string message)
    {
        _values = values;
        Message = message;
    }

    public string Message { get; }

    public int Count => _values.Count;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    /// <summary>A line with no structure: its masked text only.</summary>
    public static RedactedLogState Of(string message) => new([new(OriginalFormat, message)], message);

    /// <summary>Masks the text values of a structured line and renders its template again with them.</summary>
    public static RedactedLogState From(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var masked = new List<KeyValuePair<string, object?>>(values.Count);
        string? template = null;
        foreach (var (key, value) in values)
        {
            if (key == OriginalFormat)
            {
                template = value is string text ? LogRedaction.Redact(text) : null;
                masked.Add(new(key, template ?? value));
            }
            else
            {
                masked.Add(new(key, RedactingLogger.IsText(value, out var text) ? LogRedaction.Redact(text) : value));
            }
        }

        return new RedactedLogState(masked, template is null ? string.Join(", ", masked.Select(v => $"{v.Key}={Render(v.Value, null)}")) : Render(template, masked));
    }

    /// <summary>Fills the template's <c>{Name}</c>, <c>{Name:format}</c> and <c>{Name,alignment}</c> holes by name; <c>{{</c> and <c>}}</c> are braces.</summary>
    private static string Render(string template, List<KeyValuePair<string, object?>> values)
    {
        var builder = new StringBuilder(template.Length + 32);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                builder.Append(c);
                i++;
                continue;
            }

            var close = c == '{' ? template.IndexOf('}', i + 1) : -1;
            if (close < 0)
            {
                builder.Append(c);
                continue;
            }

            var hole = template.AsSpan(i + 1, close - i - 1);
            var formatAt = hole.IndexOfAny(':', ',');
            var name = (formatAt >= 0 ? hole[..formatAt] : hole).ToString();
            var format = formatAt >= 0 && hole[formatAt] == ':' ? hole[(formatAt + 1)..].ToString() : null;
            var found = values.FindIndex(v => string.Equals(v.Key, name, StringComparison.Ordinal));
            builder.Append(found >= 0 ? Render(values[found].Value, format) : "{" + hole.ToString() + "}");
            i = close;
        }

        return builder.ToString();
    }

    private static string Render(object? value, string? format) => value switch
    {
        null => "(null)",
        string s => s,
        IFormattable f => f.ToString(format, CultureInfo.InvariantCulture),
        IEnumerable e => string.Join(", ", e.Cast<object?>().Select(x => x?.ToString() ?? "(null)")),
        _ => value.ToString() ?? "",
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}
