namespace Switchboard.Server.Telegram;

/// <summary>The last update ids received by the webhook: Telegram retries an update it thinks failed, and each is handled once.</summary>
internal sealed class WebhookUpdates
{
    private const int Remembered = 1024;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _ids = [];
    private readonly Queue<int> _order = new();

    /// <summary>True the first time <paramref name="updateId"/> is seen.</summary>
    public bool FirstTime(int updateId)
    {
        lock (_gate)
        {
            if (!_ids.Add(updateId))
            {
                return false;
            }

            _order.Enqueue(updateId);
            if (_order.Count > Remembered)
            {
                _ids.Remove(_order.Dequeue());
            }

            return true;
        }
    }
}
