namespace Switchboard.Telegram;

/// <summary>The readiness list that <c>ctl capabilities</c>, the bot's <c>/capabilities</c> and <c>/call</c> all answer.</summary>
internal interface IReadiness
{
    Task<IReadOnlyList<ReadinessCheck>> CheckAsync(CancellationToken cancellationToken);
}
