namespace Switchboard.Configuration;

/// <summary>
/// What one model costs, in US dollars per million tokens of each kind (section <c>Switchboard:Pricing:&lt;model&gt;</c>).
/// Used only for the estimated cost in post-call artifacts.
/// </summary>
public sealed record ModelPriceOptions
{
    /// <summary>Input text tokens (instructions, typed turns, transcripts in context).</summary>
    public double InputTextPerMillion { get; init; }

    /// <summary>Input audio tokens (the caller's speech).</summary>
    public double InputAudioPerMillion { get; init; }

    /// <summary>Output text tokens (text answers, summaries).</summary>
    public double OutputTextPerMillion { get; init; }

    /// <summary>Output audio tokens (the agent's speech).</summary>
    public double OutputAudioPerMillion { get; init; }

    /// <summary>Every problem with configured prices (<c>Switchboard:Pricing</c>), each naming its key.</summary>
    internal static IEnumerable<string> Validate(IReadOnlyDictionary<string, ModelPriceOptions>? configured, string prefix)
    {
        foreach (var (model, price) in configured ?? new Dictionary<string, ModelPriceOptions>())
        {
            foreach (var (name, value) in new[]
            {
                ("InputTextPerMillion", price.InputTextPerMillion), ("InputAudioPerMillion", price.InputAudioPerMillion),
                ("OutputTextPerMillion", price.OutputTextPerMillion), ("OutputAudioPerMillion", price.OutputAudioPerMillion),
            })
            {
                if (value is < 0 or > 100_000 || double.IsNaN(value))
                {
                    yield return $"{prefix}:{model}:{name} must be 0-100000 US dollars per million tokens (got {value}).";
                }
            }
        }
    }
}
