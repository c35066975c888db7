using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Common;

/// <summary>
/// The outcome of an admin operation as a value: what it made or changed, or the <see cref="AdminError"/> saying
/// which rule refused. Rules never throw for a refusal; only storage failures surface as exceptions.
/// </summary>
/// <typeparam name="T">What the operation returns when it succeeds.</typeparam>
internal readonly record struct AdminResult<T>
{
    private AdminResult(T? value, AdminError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The result; default when <see cref="Error"/> is set.</summary>
    public T? Value { get; }

    /// <summary>Why the operation refused; null when it succeeded.</summary>
    public AdminError? Error { get; }

    /// <summary>Splits the outcome: true with the value, or false with the error.</summary>
    public bool Succeeded([NotNullWhen(true)] out T? value, [NotNullWhen(false)] out AdminError? error)
    {
        value = Value;
        error = Error;
        return Error is null;
    }

    public static implicit operator AdminResult<T>(T value) => new(value, null);

    public static implicit operator AdminResult<T>(AdminError error) => new(default, error);
}
