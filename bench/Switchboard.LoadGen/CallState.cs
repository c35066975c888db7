namespace Switchboard.LoadGen;

/// <summary>
/// Everything measured about one simulated call. The carrier side (scheduler and receive loop) and the
/// echo backend's session for this call write disjoint fields; results are read after the step drained.
/// All times are <see cref="Ticks.Now"/> values; 0 means "did not happen".
/// </summary>
internal sealed class CallState
{
    public CallState(int index, int capacity)
    {
        Index = index;
        StreamSid = "MZ" + Guid.NewGuid().ToString("N");
        CallSid = "CA" + Guid.NewGuid().ToString("N");
        CarrierSent = new long[capacity];
        BackendArrived = new long[capacity];
        BackendSent = new long[capacity];
        CarrierArrived = new long[capacity];
    }

    public int Index { get; }

    public string StreamSid { get; }

    public string CallSid { get; }

    /// <summary>Per frame sequence: the carrier sent the media frame.</summary>
    public long[] CarrierSent { get; }

    /// <summary>Per frame sequence: the backend received the append carrying it.</summary>
    public long[] BackendArrived { get; }

    /// <summary>Per frame sequence: the backend sent the delta carrying it back.</summary>
    public long[] BackendSent { get; }

    /// <summary>Per frame sequence: the carrier received the media frame carrying it.</summary>
    public long[] CarrierArrived { get; }

    /// <summary>Frames the scheduler handed to the socket (highest sequence + 1).</summary>
    public int FramesSent;

    /// <summary>Sends that found the previous send of this call still pending (socket back-pressure).</summary>
    public int SendStalls;

    public bool Connected;

    public string? Failure;

    // Carrier receive loop.
    public int HighestEchoed = -1;
    public int EchoReordered;
    public int EchoDuplicates;
    public int ForeignFrames;
    public int MarksReceived;
    public int ClearsReceived;
    public int UnmatchedClears;
    public readonly List<(long SpeechStartedSent, long Latency)> BargeIns = [];

    // Echo backend session.
    public int HighestInbound = -1;
    public int InboundReordered;
    public readonly List<long> SpeechStartedSent = [];

    /// <summary>Send time of the newest speech_started not yet answered by a clear (0 when none).</summary>
    public long PendingSpeechStarted;
}
