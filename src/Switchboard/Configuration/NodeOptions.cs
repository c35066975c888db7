namespace Switchboard.Configuration;

/// <summary>
/// This gateway node (section <c>Switchboard:Node</c>): its id is written on every call it runs, so that after a crash the
/// restarted node closes exactly the calls its previous run left open (<c>node_lost</c>, docs/reliability.md).
/// </summary>
public sealed record NodeOptions
{
    /// <summary>The longest node id accepted.</summary>
    public const int MaxIdLength = 100;

    /// <summary>
    /// The node's id, stable across restarts and distinct per node sharing a database (default: the machine name, lower case).
    /// Two processes on one machine and one database must each set their own.
    /// </summary>
    public string Id { get; init; } = DefaultId();

    /// <summary>
    /// The machine name in lower case (host names are case-insensitive), any character an id may not hold as <c>-</c>, at most
    /// <see cref="MaxIdLength"/> long; <c>node</c> when the host has no name.
    /// </summary>
    public static string DefaultId() => IdFrom(Environment.MachineName);

    internal static string IdFrom(string? machineName)
    {
        if (string.IsNullOrWhiteSpace(machineName))
        {
            return "node";
        }

        var id = string.Concat(machineName.Trim().ToLowerInvariant().Select(c => IsIdChar(c) ? c : '-'));
        return id.Length > MaxIdLength ? id[..MaxIdLength] : id;
    }

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';

    internal IEnumerable<string> Validate(string prefix)
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > MaxIdLength || !Id.All(IsIdChar))
        {
            yield return $"{prefix}:Id must be 1 to {MaxIdLength} characters of letters, digits, '-', '_', '.' or ':' (got '{Id}').";
        }
    }
}
