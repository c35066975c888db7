using System.Text.RegularExpressions;

namespace Switchboard.Diagnostics;

/// <summary>
/// What the logging pipeline masks in every log line: phone numbers (a <c>+</c> and 7 to 15 digits, separators allowed, or a
/// bare run of 8 to 15 digits) keep only their last four digits (<c>+*******1111</c>), and e-mail addresses (also the user of
/// a <c>sip:</c> URI) lose their local part (<c>***@example.com</c>). UUIDs and numbers inside words (hex ids, <c>rtc_…</c>) are
/// left alone. Pure and allocation-free when there is nothing to mask.
/// </summary>
internal static partial class LogRedaction
{
    /// <summary>Whether <paramref name="text"/> may hold something to mask (a cheap scan before the regular expression).</summary>
    public static bool MayNeedRedaction(ReadOnlySpan<char> text)
    {
        var digits = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '@')
            {
                return true;
            }

            if (char.IsAsciiDigit(c))
            {
                if (++digits >= 7)
                {
                    return true;
                }
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                digits = 0;
            }
        }

        return false;
    }

    /// <summary><paramref name="text"/> with phone numbers and e-mail addresses masked.</summary>
    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text) || !MayNeedRedaction(text))
        {
            return text;
        }

        return Sensitive().Replace(text, static m =>
        {
            if (m.Groups["keep"].Success)
            {
                return m.Value;
            }

            if (m.Groups["email"].Success)
            {
                return "***" + m.Value[m.Value.IndexOf('@', StringComparison.Ordinal)..];
            }

            var digits = m.Value.Count(char.IsAsciiDigit);
            if (digits < 7 || (digits < 8 && !m.Value.StartsWith('+')))
            {
                return m.Value;
            }

            var chars = m.Value.ToCharArray();
            var keep = 4;
            for (var i = chars.Length - 1; i >= 0; i--)
            {
                if (!char.IsAsciiDigit(chars[i]))
                {
                    continue;
                }

                if (keep > 0)
                {
                    keep--;
                }
                else
                {
                    chars[i] = '*';
                }
            }

            return new string(chars);
        });
    }

    // keep: UUIDs (ids everywhere in the logs). email: the local part goes. phone: a + and digits with separators, or a bare
    // run of digits, not glued to a word (hex ids, rtc_… call ids, version strings stay whole).
    [GeneratedRegex(@"(?<keep>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)" +
        @"|(?<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})" +
        @"|(?<phone>(?<![\w+.\-])(?:\+\d[\d ().\-]{5,20}\d|\d{8,15})(?![\w]))", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex Sensitive();
}
