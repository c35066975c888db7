namespace Switchboard.Telegram;

/// <summary>The verdict on one <c>initData</c>: its status, what it says when valid, and a reason for the log and the page.</summary>
internal readonly record struct InitDataCheck(InitDataStatus Status, VerifiedInitData? Data, string Reason)
{
    public bool IsValid => Status == InitDataStatus.Valid;

    public static InitDataCheck Fail(InitDataStatus status, string reason) => new(status, null, reason);
}
