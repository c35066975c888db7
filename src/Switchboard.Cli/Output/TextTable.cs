namespace Switchboard.Cli.Output;

/// <summary>
/// A plain-text table: a header row and left-aligned columns two spaces apart, no borders or colours, so the
/// output reads well in a terminal and still splits cleanly with <c>awk</c>/<c>cut</c>.
/// </summary>
internal sealed class TextTable
{
    private const string Gap = "  ";
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers) => _headers = headers;

    public int RowCount => _rows.Count;

    /// <summary>Adds a row; null cells print as <c>-</c>, line breaks as spaces.</summary>
    public void AddRow(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells.Select(Clean).ToArray());
    }

    public void Write(TextWriter writer)
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        WriteRow(writer, _headers, widths);
        foreach (var row in _rows)
        {
            WriteRow(writer, row, widths);
        }
    }

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths)
    {
        var line = string.Join(Gap, cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        writer.WriteLine(line.TrimEnd());
    }

    private static string Clean(string? cell) =>
        string.IsNullOrEmpty(cell) ? "-" : cell.ReplaceLineEndings(" ");
}
