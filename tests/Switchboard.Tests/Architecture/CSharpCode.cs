using System.Text;

namespace Switchboard.Tests.Architecture;

/// <summary>
/// Blanks out what is not code in C# source: comments, string and character literals (regular, verbatim, raw), keeping
/// the holes of interpolated strings, which are code. Every removed character becomes a space (newlines stay), so
/// positions and line numbers are unchanged. A lexer, not a parser: good enough to find names used in code.
/// </summary>
internal static class CSharpCode
{
    public static string Strip(string source)
    {
        var output = new StringBuilder(source.Length);
        var i = 0;
        Code(source, ref i, output, inHole: false);
        return output.ToString();
    }

    /// <summary>Copies code until the end, or (in an interpolation hole) until the unmatched <c>}</c>, which is left unread.</summary>
    private static void Code(string s, ref int i, StringBuilder o, bool inHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            if (inHole && c == '{')
            {
                depth++;
            }
            else if (inHole && c == '}')
            {
                if (depth == 0)
                {
                    return;
                }

                depth--;
            }

            if (c == '/' && next == '/')
            {
                while (i < s.Length && s[i] != '\n')
                {
                    Blank(s, ref i, o);
                }

                continue;
            }

            if (c == '/' && next == '*')
            {
                Blank(s, ref i, o);
                Blank(s, ref i, o);
                while (i < s.Length && !(s[i] == '*' && i + 1 < s.Length && s[i + 1] == '/'))
                {
                    Blank(s, ref i, o);
                }

                Blank(s, ref i, o);
                Blank(s, ref i, o);
                continue;
            }

            if (c == '\'')
            {
                CharLiteral(s, ref i, o);
                continue;
            }

            if (c is '"' or '$' or '@' && StringPrefix(s, i) is { } prefix)
            {
                StringLiteral(s, ref i, o, prefix);
                continue;
            }

            o.Append(c);
            i++;
        }
    }

    /// <summary>Dollars, verbatim and opening quotes of a string literal starting at <paramref name="i"/>; null when none starts there.</summary>
    private static (int Dollars, bool Verbatim, int Quotes)? StringPrefix(string s, int i)
    {
        var dollars = 0;
        var verbatim = false;
        var j = i;
        while (j < s.Length && s[j] is '$' or '@')
        {
            if (s[j] == '$')
            {
                dollars++;
            }
            else
            {
                verbatim = true;
            }

            j++;
        }

        if (j >= s.Length || s[j] != '"')
        {
            return null;
        }

        var quotes = 0;
        while (j + quotes < s.Length && s[j + quotes] == '"')
        {
            quotes++;
        }

        // "" is an empty string, """ or more opens a raw string.
        return (dollars, verbatim, quotes >= 3 ? quotes : 1);
    }

    private static void StringLiteral(string s, ref int i, StringBuilder o, (int Dollars, bool Verbatim, int Quotes) prefix)
    {
        while (s[i] != '"')
        {
            Blank(s, ref i, o);
        }

        for (var q = 0; q < prefix.Quotes; q++)
        {
            Blank(s, ref i, o);
        }

        var raw = prefix.Quotes >= 3;
        var braces = Math.Max(prefix.Dollars, 1);
        while (i < s.Length)
        {
            var c = s[i];
            if (!raw && !prefix.Verbatim && c == '\\')
            {
                Blank(s, ref i, o);
                if (i < s.Length)
                {
                    Blank(s, ref i, o);
                }

                continue;
            }

            if (c == '"')
            {
                if (raw)
                {
                    if (Run(s, i, '"') >= prefix.Quotes)
                    {
                        for (var q = 0; q < prefix.Quotes; q++)
                        {
                            Blank(s, ref i, o);
                        }

                        return;
                    }
                }
                else if (prefix.Verbatim && i + 1 < s.Length && s[i + 1] == '"')
                {
                    Blank(s, ref i, o);
                    Blank(s, ref i, o);
                    continue;
                }
                else
                {
                    Blank(s, ref i, o);
                    return;
                }
            }

            if (prefix.Dollars > 0 && c == '{')
            {
                var run = Run(s, i, '{');
                if (!raw && run >= 2)
                {
                    // {{ is a literal brace in a regular interpolated string.
                    Blank(s, ref i, o);
                    Blank(s, ref i, o);
                    continue;
                }

                if (run >= braces)
                {
                    // Extra braces before the hole are content; the last ones open it.
                    for (var b = 0; b < run; b++)
                    {
                        Blank(s, ref i, o);
                    }

                    Code(s, ref i, o, inHole: true);
                    while (i < s.Length && s[i] == '}')
                    {
                        Blank(s, ref i, o);
                        if (--braces == 0)
                        {
                            break;
                        }
                    }

                    braces = Math.Max(prefix.Dollars, 1);
                    continue;
                }
            }

            Blank(s, ref i, o);
        }
    }

    private static void CharLiteral(string s, ref int i, StringBuilder o)
    {
        Blank(s, ref i, o);
        if (i + 1 < s.Length && s[i] == '\\')
        {
            // The escape and the character it escapes (which may be a quote).
            Blank(s, ref i, o);
            Blank(s, ref i, o);
        }

        while (i < s.Length && s[i] != '\'' && s[i] != '\n')
        {
            Blank(s, ref i, o);
        }

        if (i < s.Length && s[i] == '\'')
        {
            Blank(s, ref i, o);
        }
    }

    private static int Run(string s, int i, char c)
    {
        var n = 0;
        while (i + n < s.Length && s[i + n] == c)
        {
            n++;
        }

        return n;
    }

    private static void Blank(string s, ref int i, StringBuilder o)
    {
        o.Append(s[i] is '\n' or '\r' ? s[i] : ' ');
        i++;
    }
}
