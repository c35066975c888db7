namespace Switchboard.Cli.Admin;

/// <summary>The <c>pagination</c> object of list responses.</summary>
internal sealed record Pagination(int Page, int Limit, long Total, int TotalPages, bool HasMore)
{
    /// <summary>Computes the object for a page of a listing with <paramref name="total"/> items.</summary>
    public static Pagination For(int page, int limit, long total) =>
        new(page, limit, total, (int)((total + limit - 1) / limit), (long)page * limit < total);
}
