using Switchboard.Configuration;

namespace Switchboard.Artifacts;

/// <summary>
/// Prices per model for the artifact's estimated cost: the built-in list below, with any model configured under
/// <c>Switchboard:Pricing</c> replacing it. Model names compare case-insensitively.
/// </summary>
internal sealed class CallPricing
{
    /// <summary>
    /// Built-in prices, US dollars per million tokens (OpenAI's published list prices when this was written; configure
    /// <c>Switchboard:Pricing</c> when they change or when you pay otherwise).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, ModelPriceOptions> Defaults = new Dictionary<string, ModelPriceOptions>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-realtime"] = new() { InputTextPerMillion = 4, InputAudioPerMillion = 32, OutputTextPerMillion = 16, OutputAudioPerMillion = 64 },
        ["gpt-realtime-mini"] = new() { InputTextPerMillion = 0.6, InputAudioPerMillion = 10, OutputTextPerMillion = 2.4, OutputAudioPerMillion = 20 },
    };

    private readonly Dictionary<string, ModelPriceOptions> _prices;

    public CallPricing(IReadOnlyDictionary<string, ModelPriceOptions>? configured = null)
    {
        _prices = new Dictionary<string, ModelPriceOptions>(Defaults, StringComparer.OrdinalIgnoreCase);
        foreach (var (model, price) in configured ?? new Dictionary<string, ModelPriceOptions>())
        {
            _prices[model] = price;
        }
    }

    /// <summary>The built-in prices only.</summary>
    public static CallPricing Default { get; } = new();

    public bool TryGet(string? model, out ModelPriceOptions price)
    {
        price = null!;
        return !string.IsNullOrEmpty(model) && _prices.TryGetValue(model, out price!);
    }

    /// <summary>The estimated cost in US dollars (rounded to 6 decimals); null when <paramref name="model"/> has no price.</summary>
    public double? Estimate(string? model, long inputText, long inputAudio, long outputText, long outputAudio)
    {
        if (!TryGet(model, out var p))
        {
            return null;
        }

        var dollars = ((inputText * p.InputTextPerMillion) + (inputAudio * p.InputAudioPerMillion)
            + (outputText * p.OutputTextPerMillion) + (outputAudio * p.OutputAudioPerMillion)) / 1_000_000d;
        return Math.Round(dollars, 6, MidpointRounding.AwayFromZero);
    }
}
