using System.Globalization;

namespace Switchboard.Cli.Simulation;

/// <summary>A DTMF digit the simulated caller presses at <see cref="AtMs"/> into the call.</summary>
internal sealed record DtmfPress(char Digit, double AtMs)
{
    /// <summary>Digits a phone keypad can send: 0-9, *, # and A-D.</summary>
    public static bool IsValidDigit(char digit) => digit is (>= '0' and <= '9') or '*' or '#' or (>= 'A' and <= 'D');

    /// <summary>Parses "<c>digit@seconds</c>", e.g. <c>5@2.5</c>.</summary>
    public static bool TryParse(string text, out DtmfPress press, out string error)
    {
        press = new DtmfPress('0', 0);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at != 1 || !IsValidDigit(char.ToUpperInvariant(text[0])))
        {
            error = $"'{text}' is not <digit>@<seconds> with a digit 0-9, *, # or A-D (e.g. 5@2.5)";
            return false;
        }

        if (!double.TryParse(text.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || !double.IsFinite(seconds))
        {
            error = $"'{text}': the time after '@' must be a non-negative number of seconds";
            return false;
        }

        press = new DtmfPress(char.ToUpperInvariant(text[0]), seconds * 1000);
        error = string.Empty;
        return true;
    }
}
