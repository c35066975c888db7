namespace Switchboard.Server.Api;

/// <summary>Timestamps the API writes, at the store's precision (milliseconds), so a create response and a later read agree.</summary>
internal static class ApiClock
{
    public static DateTimeOffset Now(TimeProvider time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}
