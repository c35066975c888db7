namespace Switchboard.Artifacts;

/// <summary>Backend tokens summed over the call's responses, by kind.</summary>
internal sealed record CallArtifactUsage(
    string? Model,
    int Responses,
    long InputTextTokens,
    long InputAudioTokens,
    long OutputTextTokens,
    long OutputAudioTokens,
    long TotalTokens);
