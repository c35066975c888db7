namespace Switchboard.Common;

/// <summary>What an admin operation refused and why. <see cref="Detail"/> is worded for the REST API; a front end may word it its own way.</summary>
/// <param name="Status">Which rule refused.</param>
/// <param name="Detail">One line saying why; for <see cref="AdminStatus.Invalid"/>, every field message joined with <c>; </c>.</param>
internal sealed record AdminError(AdminStatus Status, string Detail)
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);

    /// <summary>For <see cref="AdminStatus.Invalid"/>: the messages keyed by the field's JSON path (<c>name</c>, <c>turnDetection.threshold</c>, …).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = NoErrors;

    /// <summary>Every field message, in field order.</summary>
    public IEnumerable<string> Messages => Errors.Values.SelectMany(m => m);

    /// <summary>Invalid input: every problem at once, keyed by field.</summary>
    public static AdminError Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(AdminStatus.Invalid, string.Join("; ", errors.Values.SelectMany(m => m))) { Errors = errors };

    /// <summary>Invalid input: one field, one message.</summary>
    public static AdminError Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static AdminError NotFound(string detail) => new(AdminStatus.NotFound, detail);

    public static AdminError Conflict(string detail) => new(AdminStatus.Conflict, detail);
}
