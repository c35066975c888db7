namespace Switchboard.Webhooks;

/// <summary>What <see cref="CallEventWebhooks.For"/> needs from the journal, besides the event itself (<see cref="CallEventWebhooks.InputFor"/>).</summary>
internal enum CallEventWebhookInput
{
    /// <summary>The event announces nothing: read nothing, enqueue nothing.</summary>
    None,

    /// <summary>The event alone.</summary>
    Event,

    /// <summary>The call's stored <c>CallStarted</c> event (team, endpoint, numbers and their privacy), when there is one.</summary>
    Started,

    /// <summary>Every stored event of the call, this one included, in sequence order.</summary>
    WholeCall,
}
