namespace Switchboard.Server.Api;

/// <summary>A validated <c>?page=&amp;limit=</c>: page ≥ 1 (default 1), limit 1–100 (default 20).</summary>
internal readonly record struct PageRequest(int Page, int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Rows to skip; computed in 64 bits and clamped so a huge page number cannot overflow.</summary>
    public int Offset => (int)Math.Min(((long)Page - 1) * Limit, int.MaxValue);

    /// <summary>Parses the query values; a bad one yields a 400 problem naming the parameter.</summary>
    public static bool TryParse(string? page, string? limit, out PageRequest request, out IResult? problem)
    {
        request = default;
        problem = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var pageValue = 1;
        var limitValue = DefaultLimit;
        if (page is not null && (!int.TryParse(page, System.Globalization.NumberStyles.None, null, out pageValue) || pageValue < 1))
        {
            errors["page"] = [$"page must be an integer ≥ 1 (got '{Clip(page)}')"];
        }

        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, null, out limitValue) || limitValue is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be an integer from 1 to {MaxLimit} (got '{Clip(limit)}')"];
        }

        if (errors.Count > 0)
        {
            problem = ApiProblems.Invalid(errors, string.Join("; ", errors.Values.SelectMany(v => v)));
            return false;
        }

        request = new PageRequest(pageValue, limitValue);
        return true;
    }

    /// <summary>The pagination block of a listing response.</summary>
    public PaginationInfo Describe(long total) => new(Page, Limit, total, (total + Limit - 1) / Limit, (long)Page * Limit < total);

    private static string Clip(string value) => value.Length <= 20 ? value : value[..20] + "…";
}
