namespace Switchboard.IntegrationTests.Drain;

/// <summary>How a live call of a drain test went, seen from the caller's side.</summary>
/// <param name="AudioAt">When each piece of agent audio arrived, on the test's clock.</param>
/// <param name="CloseCode">The close code the gateway sent (null: none).</param>
/// <param name="CloseReason">The close reason the gateway sent.</param>
internal sealed record LiveCallOutcome(IReadOnlyList<TimeSpan> AudioAt, int? CloseCode, string? CloseReason)
{
    public override string ToString() =>
        $"{AudioAt.Count} audio messages (first at {(AudioAt.Count > 0 ? AudioAt[0].TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "-")} s), closed {CloseCode} '{CloseReason}'";
}
