namespace Switchboard.Common;

/// <summary>A write broke a uniqueness rule (a duplicate name or phone number); the message says which, without secrets.</summary>
internal sealed class StoreConflictException : Exception
{
    public StoreConflictException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
