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

    /// <summary>One bad field of a JSON body (from <see cref="JsonErrorText.Mapping"/>); the body itself when the field is empty.</summary>
    public static IResult InvalidField(string field, string message) =>
        field.Length == 0 ? BadRequest(message) : Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] }, message);

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static IResult PayloadTooLarge(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large", detail: detail);

    public static IResult UnsupportedMediaType(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type", detail: detail);

    public static IResult Unavailable(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable", detail: detail);
}
