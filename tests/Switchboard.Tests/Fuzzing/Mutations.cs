using System.Text;
using CsCheck;

namespace Switchboard.Tests.Fuzzing;

/// <summary>
/// Hostile variants of valid inputs for the parser property tests: truncation, bit flips, a lone surrogate (escaped or raw
/// UTF-16 in UTF-8 form), invalid UTF-8, a value replaced by a huge number, a deep nesting, a duplicated or noisy slice, or
/// noise alone. Each sample is a seed input and a <see cref="Random"/> seed, so a failure prints the one input to replay.
/// </summary>
internal static class Mutations
{
    /// <summary>
    /// How many inputs each parser gets: 4,000 by default, so the whole fuzz set stays within seconds (CI runs it with the unit
    /// tests); <c>SWITCHBOARD_FUZZ_ITERATIONS</c> asks for more.
    /// </summary>
    public static long Iterations => long.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 4_000;

    /// <summary>With <c>SWITCHBOARD_FUZZ_SECONDS</c>, each parser is fuzzed for that long instead (CsCheck's time budget); else -1.</summary>
    public static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_SECONDS"), out var s) && s > 0 ? s : -1;

    /// <summary>The first input's seed (the rest are random; a failure prints the seed that replays it).</summary>
    public const string Seed = "0000recovery";

    private static readonly string[] Tokens =
    [
        "\"\\ud800\"", "\"a\\udfffb\"", "\"\\ud83d\"", "1e400", "-1e400", "1.7976931348623157e309", "99999999999999999999999999",
        "-9223372036854775809", "9223372036854775808", "0.0000000000000000000000000001e-400", "null", "true", "[]", "{}", "\"\"", "-0",
    ];

    private static readonly byte[][] RawBytes = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0x80], [0x00]];

    /// <summary>Mutated copies of <paramref name="seeds"/> (now and then a seed unchanged).</summary>
    public static Gen<byte[]> Of(params string[] seeds) =>
        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 11], Gen.Int).Select((s, kind, seed) => Mutate(Encoding.UTF8.GetBytes(seeds[s]), kind, new Random(seed)));

    /// <summary>The same, as text (invalid UTF-8 decodes to U+FFFD, as a socket's text frame would not; lone surrogates stay).</summary>
    public static Gen<string> TextOf(params string[] seeds) =>
        Gen.Select(Of(seeds), Gen.Int[0, 3], Gen.Int).Select((bytes, surrogate, at) =>
        {
            var text = Encoding.UTF8.GetString(bytes);
            if (surrogate == 0 && text.Length > 0)
            {
                // A raw lone surrogate, which no UTF-8 decoder produces but a string from elsewhere can hold.
                var i = (int)((uint)at % (uint)text.Length);
                text = text[..i] + '\uD800' + text[i..];
            }

            return text;
        });

    private static byte[] Mutate(byte[] input, int kind, Random r)
    {
        var list = new List<byte>(input);
        switch (kind)
        {
            case 0:
                return input;
            case 1:
                return input[..r.Next(input.Length + 1)];
            case 2:
                for (var n = r.Next(1, 9); n > 0 && list.Count > 0; n--)
                {
                    var i = r.Next(list.Count);
                    list[i] ^= (byte)(1 << r.Next(8));
                }

                return [.. list];
            case 3:
                list.InsertRange(r.Next(list.Count + 1), Encoding.UTF8.GetBytes(Tokens[r.Next(3)]));
                return [.. list];
            case 4:
                list.InsertRange(r.Next(list.Count + 1), RawBytes[r.Next(RawBytes.Length)]);
                return [.. list];
            case 5:
                return ReplaceValue(input, Tokens[r.Next(Tokens.Length)], r);
            case 6:
            {
                var depth = r.Next(1, 3_000);
                var open = r.Next(2) == 0 ? "[" : "{\"a\":";
                var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + (r.Next(2) == 0 ? string.Concat(Enumerable.Repeat(open == "[" ? "]" : "}", depth)) : "");
                return ReplaceValue(input, nested, r);
            }
            case 7:
            {
                var start = r.Next(list.Count + 1);
                var length = r.Next(list.Count - start + 1);
                list.InsertRange(r.Next(list.Count + 1), list.GetRange(start, length));
                return [.. list];
            }
            case 8:
            {
                var start = r.Next(list.Count + 1);
                var length = Math.Min(r.Next(1, 16), list.Count - start);
                var noise = new byte[r.Next(0, 16)];
                r.NextBytes(noise);
                list.RemoveRange(start, length);
                list.InsertRange(start, noise);
                return [.. list];
            }
            case 9:
            {
                var noise = new byte[r.Next(0, 256)];
                r.NextBytes(noise);
                return noise;
            }
            case 10:
                // A JSON string value stretched with quotes and backslashes, the escapes parsers get wrong.
                return ReplaceValue(input, "\"" + new string('\\', 2 * r.Next(0, 50)) + "\\\"" + new string('x', r.Next(0, 100)) + "\"", r);
            default:
                // Two mutations at once.
                return Mutate(Mutate(input, r.Next(1, 11), r), r.Next(1, 11), r);
        }
    }

    /// <summary>Replaces the value after a random <c>:</c> (up to the next <c>,</c>, <c>}</c> or <c>]</c>) with <paramref name="token"/>.</summary>
    private static byte[] ReplaceValue(byte[] input, string token, Random r)
    {
        var colons = new List<int>();
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == (byte)':')
            {
                colons.Add(i);
            }
        }

        var bytes = Encoding.UTF8.GetBytes(token);
        if (colons.Count == 0)
        {
            return bytes;
        }

        var start = colons[r.Next(colons.Count)] + 1;
        var end = start;
        while (end < input.Length && input[end] is not ((byte)',' or (byte)'}' or (byte)']'))
        {
            end++;
        }

        return [.. input[..start], .. bytes, .. input[end..]];
    }
}
