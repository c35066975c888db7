namespace Switchboard.Common;

/// <summary>
/// One page of a listing: 1-based <see cref="Page"/> and <see cref="Limit"/> items per page (1 to <see cref="MaxLimit"/>).
/// The bounds are the same for the REST API's <c>?page=&amp;limit=</c> and the CLI's <c>--page</c>/<c>--limit</c>.
/// </summary>
internal readonly record struct PageRequest(int Page, int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Rows to skip; computed in 64 bits and clamped so a huge page number cannot overflow.</summary>
    public int Offset => (int)Math.Min(((long)Page - 1) * Limit, int.MaxValue);

    public static bool IsValidPage(int page) => page >= 1;

    public static bool IsValidLimit(int limit) => limit is >= 1 and <= MaxLimit;

    /// <summary>Pages of <see cref="Limit"/> items for <paramref name="total"/> items (0 when there are none).</summary>
    public long TotalPages(long total) => (total + Limit - 1) / Limit;

    /// <summary>Whether a later page has items.</summary>
    public bool HasMore(long total) => (long)Page * Limit < total;
}
