namespace Switchboard.Artifacts;

/// <summary>Estimated backend cost of the call: tokens by kind times the model's configured price.</summary>
internal sealed record CallArtifactCost(string Currency, double Amount);
