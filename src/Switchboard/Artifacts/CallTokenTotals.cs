namespace Switchboard.Artifacts;

/// <summary>
/// A call's token usage added up from its responses' usage, and its estimated cost: the one sum both the artifact (after
/// the call) and the cost budgets (during it) use, so a budget and the artifact never disagree about what a call cost.
/// </summary>
internal sealed class CallTokenTotals
{
    public int Responses { get; private set; }

    public long InputText { get; private set; }

    public long InputAudio { get; private set; }

    public long OutputText { get; private set; }

    public long OutputAudio { get; private set; }

    public long Total { get; private set; }

    /// <summary>Adds one response's usage: totals and their audio parts (the rest of each is text).</summary>
    public void Add(long input, long output, long inputAudio, long outputAudio, long total)
    {
        Responses++;
        InputAudio += inputAudio;
        OutputAudio += outputAudio;
        InputText += Math.Max(0, input - inputAudio);
        OutputText += Math.Max(0, output - outputAudio);
        Total += total > 0 ? total : input + output;
    }

    /// <summary>The estimated cost in US dollars with <paramref name="pricing"/>; null when <paramref name="model"/> has no price.</summary>
    public double? Cost(CallPricing pricing, string? model) => pricing.Estimate(model, InputText, InputAudio, OutputText, OutputAudio);
}
