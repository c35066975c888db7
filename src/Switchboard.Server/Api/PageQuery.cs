using Switchboard.Common;

namespace Switchboard.Server.Api;

/// <summary>Reads <c>?page=&amp;limit=</c> into a <see cref="PageRequest"/>: page ≥ 1 (default 1), limit 1–100 (default 20).</summary>
internal static class PageQuery
{
    /// <summary>Parses the query values; a bad one yields a 400 problem naming the parameter.</summary>
    public static bool TryParse(string? page, string? limit, out PageRequest request, out IResult? problem)
    {
        request = default;
        problem = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var pageValue = 1;
        var limitValue = PageRequest.DefaultLimit;
        if (page is not null && (!int.TryParse(page, System.Globalization.NumberStyles.None, null, out pageValue) || !PageRequest.IsValidPage(pageValue)))
        {
            errors["page"] = [$"page must be an integer ≥ 1 (got '{Clip(page)}')"];
        }

        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, null, out limitValue) || !PageRequest.IsValidLimit(limitValue)))
        {
            errors["limit"] = [$"limit must be an integer from 1 to {PageRequest.MaxLimit} (got '{Clip(limit)}')"];
        }

        if (errors.Count > 0)
        {
            problem = ApiProblems.Invalid(errors, string.Join("; ", errors.Values.SelectMany(v => v)));
            return false;
        }

        request = new PageRequest(pageValue, limitValue);
        return true;
    }

    private static string Clip(string value) => value.Length <= 20 ? value : value[..20] + "…";
}
