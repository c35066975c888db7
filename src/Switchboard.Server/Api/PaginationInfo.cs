using Switchboard.Common;

namespace Switchboard.Server.Api;

/// <summary>Where a page sits in a listing.</summary>
/// <param name="Page">The 1-based page returned.</param>
/// <param name="Limit">Items per page.</param>
/// <param name="Total">Items across all pages.</param>
/// <param name="TotalPages">Pages of <paramref name="Limit"/> items (0 when there are none).</param>
/// <param name="HasMore">Whether a later page has items.</param>
internal sealed record PaginationInfo(int Page, int Limit, long Total, long TotalPages, bool HasMore)
{
    /// <summary>The pagination block of a listing response: <paramref name="page"/> of a listing with <paramref name="total"/> items.</summary>
    public static PaginationInfo For(PageRequest page, long total) => new(page.Page, page.Limit, total, page.TotalPages(total), page.HasMore(total));
}
