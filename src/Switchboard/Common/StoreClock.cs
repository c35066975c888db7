namespace Switchboard.Common;

/// <summary>Timestamps admin operations write, at the store's precision (milliseconds), so a create response and a later read agree.</summary>
internal static class StoreClock
{
    public static DateTimeOffset Now(TimeProvider time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}
