namespace Switchboard.Carriers;

/// <summary>
/// Which assistant audio the caller has actually heard. Carriers buffer and play out later than we send,
/// so send time says nothing; the carrier echoes each mark when the audio before it has played. The ledger
/// records where every mark sits in its item, and between echoes it interpolates at real-time speed from
/// the last echo, never past the next unconfirmed mark (playback may have stalled there).
/// </summary>
/// <remarks>
/// Sizes are in bytes of the carrier's format so accounting is exact. Used by two loops of one call
/// (marks echo on the carrier loop; audio is sent and barge-in decided on the backend loop), hence the lock.
/// </remarks>
internal sealed class PlaybackLedger
{
    private readonly Lock _lock = new();
    private readonly Queue<PendingMark> _pending = new();
    private readonly TimeProvider _time;
    private readonly int _bytesPerMs;
    private readonly int _firstChunkBytes;
    private readonly int _markIntervalBytes;
    private long _nextSequence = 1;
    private long _clearedThrough;
    private string? _sendingItem;
    private long _sentBytes;
    private long _bytesSinceMark;
    private bool _itemHasMark;
    private string? _ackItem;
    private long _ackOffsetBytes;
    private long _ackTimestamp;

    public PlaybackLedger(int bytesPerMs, int firstChunkMs, int markIntervalMs, TimeProvider time)
    {
        _bytesPerMs = bytesPerMs;
        _firstChunkBytes = Math.Max(1, firstChunkMs * bytesPerMs);
        _markIntervalBytes = Math.Max(1, markIntervalMs * bytesPerMs);
        _time = time;
    }

    /// <summary>Size of the first chunk of an item, in carrier bytes.</summary>
    public int FirstChunkBytes => _firstChunkBytes;

    /// <summary>The item whose audio is being sent now, if any.</summary>
    public string? SendingItem
    {
        get
        {
            lock (_lock)
            {
                return _sendingItem;
            }
        }
    }

    /// <summary>True while audio has been sent that the carrier has not confirmed as played.</summary>
    public bool HasUnplayedAudio
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count > 0 || _bytesSinceMark > 0;
            }
        }
    }

    /// <summary>Marks still awaiting their echo.</summary>
    public int PendingMarks
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Starts accounting for a new assistant item (its offsets count from zero).</summary>
    public void BeginItem(string itemId)
    {
        lock (_lock)
        {
            _sendingItem = itemId;
            _sentBytes = 0;
            _bytesSinceMark = 0;
            _itemHasMark = false;
        }
    }

    /// <summary>How many bytes may be sent before the next mark is due (the first chunk of an item is short so playback start is confirmed early).</summary>
    public int BytesBeforeNextMark()
    {
        lock (_lock)
        {
            var limit = _itemHasMark ? _markIntervalBytes : _firstChunkBytes;
            return (int)Math.Max(1, limit - _bytesSinceMark);
        }
    }

    /// <summary>Records audio sent for the current item; returns true when a mark should follow it.</summary>
    public bool AddSent(int bytes)
    {
        lock (_lock)
        {
            _sentBytes += bytes;
            _bytesSinceMark += bytes;
            return _bytesSinceMark >= (_itemHasMark ? _markIntervalBytes : _firstChunkBytes);
        }
    }

    /// <summary>Registers a mark after the audio sent so far and returns its sequence number (0 when nothing was sent since the last mark).</summary>
    public long RegisterMark()
    {
        lock (_lock)
        {
            if (_sendingItem is null || _bytesSinceMark == 0)
            {
                return 0;
            }

            var sequence = _nextSequence++;
            _pending.Enqueue(new PendingMark(sequence, _sendingItem, _sentBytes));
            _bytesSinceMark = 0;
            _itemHasMark = true;
            return sequence;
        }
    }

    /// <summary>A mark came back: everything before it has played. Marks echoed by a clear are ignored.</summary>
    public void MarkPlayed(long sequence)
    {
        lock (_lock)
        {
            if (sequence <= _clearedThrough)
            {
                return;
            }

            PendingMark? last = null;
            while (_pending.Count > 0 && _pending.Peek().Sequence <= sequence)
            {
                last = _pending.Dequeue();
            }

            if (last is { } mark)
            {
                _ackItem = mark.ItemId;
                _ackOffsetBytes = mark.ItemOffsetBytes;
                _ackTimestamp = _time.GetTimestamp();
            }
        }
    }

    /// <summary>
    /// Estimates how much of the item now playing the caller has heard, in ms of that item's audio.
    /// False when no assistant audio is outstanding.
    /// </summary>
    public bool TryEstimateHeard(out string itemId, out long heardMs)
    {
        lock (_lock)
        {
            var item = _pending.Count > 0 ? _pending.Peek().ItemId : (_bytesSinceMark > 0 ? _sendingItem : null);
            if (item is null)
            {
                itemId = "";
                heardMs = 0;
                return false;
            }

            long heardBytes = 0;
            if (string.Equals(_ackItem, item, StringComparison.Ordinal))
            {
                var elapsedMs = _time.GetElapsedTime(_ackTimestamp).TotalMilliseconds;
                var upper = _pending.Count > 0 && string.Equals(_pending.Peek().ItemId, item, StringComparison.Ordinal)
                    ? _pending.Peek().ItemOffsetBytes
                    : string.Equals(_sendingItem, item, StringComparison.Ordinal) ? _sentBytes : _ackOffsetBytes;
                heardBytes = Math.Min(_ackOffsetBytes + (long)(elapsedMs * _bytesPerMs), upper);
            }

            itemId = item;
            heardMs = heardBytes / _bytesPerMs;
            return true;
        }
    }

    /// <summary>The carrier was told to clear: nothing queued will play, and marks it echoes for the flushed audio are stale.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _clearedThrough = _nextSequence - 1;
            _pending.Clear();
            _sendingItem = null;
            _sentBytes = 0;
            _bytesSinceMark = 0;
            _itemHasMark = false;
            _ackItem = null;
        }
    }

    private readonly record struct PendingMark(long Sequence, string ItemId, long ItemOffsetBytes);
}
