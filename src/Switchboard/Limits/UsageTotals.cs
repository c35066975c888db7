namespace Switchboard.Limits;

/// <summary>
/// Usage added up over a span: calls that started in it (refused ones apart), their seconds and estimated cost once they
/// have ended. A call whose model has no price adds no cost.
/// </summary>
/// <param name="Calls">Calls admitted (refused ones are not counted here).</param>
/// <param name="Refused">Calls refused at admission by a limit.</param>
/// <param name="Seconds">Seconds of the admitted calls that have ended (millisecond precision).</param>
/// <param name="CostUsd">Estimated model cost of the ended calls, in US dollars.</param>
internal sealed record UsageTotals(int Calls, int Refused, double Seconds, double CostUsd);
