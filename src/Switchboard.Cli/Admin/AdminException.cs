namespace Switchboard.Cli.Admin;

/// <summary>
/// An admin operation failed, in either mode. Remote failures keep the problem+json status and title so the
/// CLI prints them as the API said them; local failures carry the same kinds without a status.
/// </summary>
internal sealed class AdminException : Exception
{
    public AdminException(AdminErrorKind kind, string detail, int? status = null, string? title = null, IReadOnlyDictionary<string, string[]>? errors = null, Exception? inner = null)
        : base(detail, inner)
    {
        Kind = kind;
        Status = status;
        Title = title;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public AdminErrorKind Kind { get; }

    /// <summary>The HTTP status of a remote failure; null for local ones.</summary>
    public int? Status { get; }

    /// <summary>The problem's title of a remote failure.</summary>
    public string? Title { get; }

    /// <summary>Validation errors keyed by field (<c>voice</c>, <c>turnDetection.threshold</c>, …).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The process exit code for this failure (see <see cref="ExitCodes"/>).</summary>
    public int ExitCode => Kind switch
    {
        AdminErrorKind.Invalid => ExitCodes.Usage,
        AdminErrorKind.Unavailable => ExitCodes.Unavailable,
        _ => ExitCodes.Failed,
    };

    public static AdminException Invalid(string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        new(AdminErrorKind.Invalid, detail, errors: errors);

    public static AdminException NotFound(string detail) => new(AdminErrorKind.NotFound, detail);

    public static AdminException Conflict(string detail) => new(AdminErrorKind.Conflict, detail);

    public static AdminException Unavailable(string detail, Exception? inner = null) => new(AdminErrorKind.Unavailable, detail, inner: inner);
}
