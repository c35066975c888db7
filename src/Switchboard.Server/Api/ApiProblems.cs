using Switchboard.Common;

namespace Switchboard.Server.Api;

/// <summary>The REST API's errors, all <c>application/problem+json</c> (RFC 9457) with a precise detail and no secrets.</summary>
internal static class ApiProblems
{
    public static IResult Unauthorized(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);

    public static IResult Forbidden(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    /// <summary>Not found — also what another team's resource looks like, so ids cannot be probed.</summary>
    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: detail);

    public static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: detail);

    public static IResult Invalid(IDictionary<string, string[]> errors) =>
        Invalid(errors, "the request has invalid fields");

    /// <summary>A validation problem whose detail says what was wrong (e.g. the one bad query parameter).</summary>
    public static IResult Invalid(IDictionary<string, string[]> errors, string detail) =>
        Results.ValidationProblem(errors, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>One bad field of a JSON body (from <see cref="Transport.JsonErrorText.Mapping"/>); the body itself when the field is empty.</summary>
    public static IResult InvalidField(string field, string message) =>
        field.Length == 0 ? BadRequest(message) : Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] }, message);

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static IResult PayloadTooLarge(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large", detail: detail);

    /// <summary>429 with <c>Retry-After</c> (whole seconds): a limit refused the request; trying again later may succeed.</summary>
    public static IResult TooManyRequests(string title, string detail, int retryAfterSeconds) => new RetryAfterResult(
        Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: title, detail: detail), retryAfterSeconds);

    public static IResult UnsupportedMediaType(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type", detail: detail);

    /// <summary>
    /// An admin rule's refusal: 400 with the field errors (detail "the request has invalid fields", or with
    /// <paramref name="summarize"/> the one message or how many fields are invalid), 404, or 409.
    /// </summary>
    public static IResult From(AdminError error, bool summarize = false) => error.Status switch
    {
        AdminStatus.Invalid when summarize => Invalid(ToDictionary(error), Summary(error)),
        AdminStatus.Invalid => Invalid(ToDictionary(error)),
        AdminStatus.NotFound => NotFound(error.Detail),
        _ => Conflict(error.Detail),
    };

    public static IResult Unavailable(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable", detail: detail);

    private static Dictionary<string, string[]> ToDictionary(AdminError error) => new(error.Errors, StringComparer.Ordinal);

    private static string Summary(AdminError error)
    {
        var messages = error.Messages.ToList();
        return messages.Count == 1 ? messages[0] : $"the request has {messages.Count} invalid fields";
    }

    /// <summary>Another result with a <c>Retry-After</c> header.</summary>
    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
