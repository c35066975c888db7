namespace Switchboard.Agents;

/// <summary>How much of a phone number the post-call artifact and hot hand-offs show (an endpoint's <c>privacy</c>).</summary>
internal static class NumberRedaction
{
    /// <summary>The number as the carrier gave it.</summary>
    public const string Full = "full";

    /// <summary>Every digit but the last four replaced by <c>*</c> (<c>+15550001111</c> → <c>+*******1111</c>).</summary>
    public const string Last4 = "last4";

    /// <summary>Not shown (null).</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> Modes = [Full, Last4, None];

    public static bool IsKnown(string? mode) => mode is Full or Last4 or None;

    /// <summary>
    /// The number under <paramref name="mode"/>. An unknown mode redacts like <see cref="Last4"/>. With <see cref="Last4"/>, a
    /// value with fewer than seven digits (an extension, <c>anonymous</c>, a SIP user) is replaced by <c>****</c> whole.
    /// </summary>
    public static string? Apply(string? number, string? mode)
    {
        if (number is null || mode == None)
        {
            return null;
        }

        if (mode == Full)
        {
            return number;
        }

        var digits = number.Count(char.IsAsciiDigit);
        if (digits < 7)
        {
            return "****";
        }

        var chars = number.ToCharArray();
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
    }
}
