namespace Switchboard.IntegrationTests.Sessions;

/// <summary>The system clock moved by a fixed offset: mints tokens that were issued (and expired) in the past.</summary>
internal sealed class ShiftedTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
