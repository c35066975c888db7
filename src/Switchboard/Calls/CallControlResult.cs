namespace Switchboard.Calls;

/// <summary>The outcome of a call-control request: the status, a short explanation (never a credential) and the HTTP status, if any.</summary>
internal sealed record CallControlResult(CallControlStatus Status, string Detail, int? HttpStatus = null)
{
    public bool Succeeded => Status == CallControlStatus.Done;
}
