namespace Switchboard.Server.Telegram;

/// <summary>
/// The refusals of the Mini App routes: always 4xx with <c>{"error": "&lt;code&gt;", "message": "…"}</c>, one code per reason, so
/// the page can say what happened and a test can tell them apart (docs/telegram.md).
/// </summary>
internal static class CallRefusal
{
    public const string LaunchTokenInvalid = "launch_token_invalid";
    public const string LaunchTokenExpired = "launch_token_expired";
    public const string LaunchTokenUsed = "launch_token_used";
    public const string InitDataInvalid = "init_data_invalid";
    public const string NotAllowed = "not_allowed";
    public const string NotArmed = "not_armed";
    public const string NoThread = "no_thread";
    public const string Busy = "busy";
    public const string BudgetExhausted = "budget_exhausted";
    public const string RateLimited = "rate_limited";
    public const string BadRequest = "bad_request";
    public const string NotEnabled = "not_enabled";
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";

    /// <summary>The HTTP status of each code.</summary>
    public static int StatusOf(string code) => code switch
    {
        LaunchTokenInvalid or LaunchTokenExpired or InitDataInvalid or Unauthorized => StatusCodes.Status401Unauthorized,
        NotAllowed => StatusCodes.Status403Forbidden,
        LaunchTokenUsed or NotArmed or NoThread or Busy => StatusCodes.Status409Conflict,
        BudgetExhausted or RateLimited => StatusCodes.Status429TooManyRequests,
        NotEnabled or NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The refusal as a result, with <c>Retry-After</c> when waiting helps.</summary>
    public static IResult Result(HttpContext context, string code, string message, TimeSpan? retryAfter = null)
    {
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Json(new RefusalBody(code, message), TelegramJsonContext.Default.RefusalBody, statusCode: StatusOf(code));
    }
}

/// <summary>The body of a refusal.</summary>
internal sealed record RefusalBody(string Error, string Message);
