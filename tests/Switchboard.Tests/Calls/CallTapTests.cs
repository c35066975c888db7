using System.Text;
using Switchboard.Audio;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Tests.Audio;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>
/// The call's tap for listen sessions: free on the frame path with nobody listening, a bounded drop-oldest queue per
/// listener, a cap on listeners, and the end of the call reaching every listener; and the engine feeding it both sides.
/// </summary>
public class CallTapTests
{
    private static readonly byte[] Chunk = Enumerable.Range(0, 160).Select(i => (byte)i).ToArray();

    [Fact]
    public void Write_NobodyListening_AllocatesNothing()
    {
        var tap = new CallTap();
        var writes = 0;

        // The bridge's guard, as on its frame path.
        var allocated = SteadyStateAllocations.Measure(() =>
        {
            if (tap.IsListened)
            {
                tap.Write(TapSource.Caller, AudioFormat.MuLaw8k, isBase64: false, Chunk, null);
                writes++;
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(0, writes);
    }

    [Fact]
    public void Write_ListenerKeepingUp_SteadyStateAllocatesNothing()
    {
        var tap = new CallTap();
        Assert.Equal(TapAttachStatus.Attached, tap.TryAttach(out var attached));
        using var listener = attached!;
        var read = 0;

        var allocated = SteadyStateAllocations.Measure(() =>
        {
            tap.Write(TapSource.Agent, AudioFormat.MuLaw8k, isBase64: false, Chunk, "item_1");
            if (listener.TryRead(out var chunk))
            {
                read += chunk.Length;
                CallTapListener.Release(chunk);
            }
        });

        Assert.Equal(0, allocated);
        Assert.True(read > 0);
    }

    [Fact]
    public void Write_WithListeners_EachGetsItsOwnCopyLabelledBySide()
    {
        var tap = new CallTap();
        tap.TryAttach(out var first);
        tap.TryAttach(out var second);
        var caller = Encoding.ASCII.GetBytes(Convert.ToBase64String(Chunk));

        tap.Write(TapSource.Caller, AudioFormat.MuLaw8k, isBase64: true, caller, null);
        tap.Write(TapSource.Agent, AudioFormat.Pcm24k, isBase64: false, Chunk, "item_7");

        foreach (var listener in new[] { first!, second! })
        {
            Assert.True(listener.TryRead(out var heard));
            Assert.Equal(TapSource.Caller, heard.Source);
            Assert.True(heard.IsBase64);
            Assert.Equal(caller, heard.Span.ToArray());
            Assert.Null(heard.ItemId);
            CallTapListener.Release(heard);
            Assert.True(listener.TryRead(out var said));
            Assert.Equal(TapSource.Agent, said.Source);
            Assert.Equal(AudioFormat.Pcm24k, said.Format);
            Assert.Equal(Chunk, said.Span.ToArray());
            Assert.Equal("item_7", said.ItemId);
            CallTapListener.Release(said);
            Assert.False(listener.TryRead(out _));
        }
    }

    [Fact]
    public void Write_ListenerFallsBehind_OldestAreDroppedAndCountedWithoutWaiting()
    {
        var tap = new CallTap();
        tap.TryAttach(out var listener);

        for (var i = 0; i < CallTapListener.Capacity + 10; i++)
        {
            tap.Write(TapSource.Caller, AudioFormat.MuLaw8k, isBase64: false, [(byte)(i % 256)], null);
        }

        Assert.Equal(10, listener!.Dropped);
        Assert.True(listener.TryRead(out var oldestLeft));
        Assert.Equal(10, oldestLeft.Span[0]);
        CallTapListener.Release(oldestLeft);
    }

    [Fact]
    public void TryAttach_MoreThanTheCap_IsFullUntilOneLeaves()
    {
        var tap = new CallTap();
        var listeners = Enumerable.Range(0, CallTap.MaxListeners).Select(_ =>
        {
            Assert.Equal(TapAttachStatus.Attached, tap.TryAttach(out var l));
            return l!;
        }).ToList();

        Assert.Equal(TapAttachStatus.Full, tap.TryAttach(out var refused));
        Assert.Null(refused);

        listeners[0].Dispose();
        Assert.Equal(CallTap.MaxListeners - 1, tap.Count);
        Assert.Equal(TapAttachStatus.Attached, tap.TryAttach(out _));
    }

    [Fact]
    public async Task Close_CallEnded_ListenersReadWhatIsLeftThenLearnTheReason()
    {
        var tap = new CallTap();
        tap.TryAttach(out var listener);
        tap.Write(TapSource.Agent, AudioFormat.MuLaw8k, isBase64: false, Chunk, "item_1");

        tap.Close(CallEndReason.CallerHangup);
        tap.Close(CallEndReason.InternalError);

        Assert.Equal(CallEndReason.CallerHangup, listener!.EndReason);
        Assert.True(await listener.WaitToReadAsync(CancellationToken.None));
        Assert.True(listener.TryRead(out var last));
        CallTapListener.Release(last);
        Assert.False(await listener.WaitToReadAsync(CancellationToken.None));
        Assert.False(tap.IsListened);
        Assert.Equal(TapAttachStatus.Ended, tap.TryAttach(out _));
    }

    [Fact]
    public void Dispose_ListenerLeaves_TheCallStopsCopyingForIt()
    {
        var tap = new CallTap();
        tap.TryAttach(out var listener);

        listener!.Dispose();
        tap.Write(TapSource.Caller, AudioFormat.MuLaw8k, isBase64: false, Chunk, null);

        Assert.False(tap.IsListened);
        Assert.False(listener.TryRead(out _));
        Assert.Null(listener.EndReason);
    }

    [Fact]
    public async Task Bridge_PhoneCallWithAListener_TapCarriesBothSidesThenTheEnd()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        var call = h.Registry.Snapshot().Single();
        var tap = Assert.IsType<CallTap>(call.Tap);
        Assert.True(tap.CarriesAudio);
        Assert.Equal(TapAttachStatus.Attached, tap.TryAttach(out var attached));
        using var listener = attached!;

        h.Leg.SendAudioMs(20);
        await h.Backend.WaitForAsync("input_audio_buffer.append");
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 40);
        await h.WaitUntilAsync(() => h.Leg.SentMs("item_1") == 40, "the agent audio at the leg");
        h.Leg.HangUp();
        await h.EndedAsync();

        var chunks = new List<TapAudio>();
        while (await listener.WaitToReadAsync(CancellationToken.None))
        {
            while (listener.TryRead(out var chunk))
            {
                chunks.Add(chunk);
            }
        }

        var caller = Assert.Single(chunks, c => c.Source == TapSource.Caller);
        Assert.Equal(AudioFormat.MuLaw8k, caller.Format);
        Assert.Equal(ScriptedBackend.Audio(AudioFormat.MuLaw8k, 20), Decode(caller));
        var agent = Assert.Single(chunks, c => c.Source == TapSource.Agent);
        Assert.Equal("item_1", agent.ItemId);
        Assert.Equal(40 * AudioFormat.MuLaw8k.BytesPerMs, Decode(agent).Length);
        Assert.Equal(CallEndReason.CallerHangup, listener.EndReason);
        chunks.ForEach(CallTapListener.Release);
    }

    [Fact]
    public async Task Bridge_TextSession_TapSaysNoAudioPassesThrough()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(Switchboard.Agents.InteractionModes.Text));

        var tap = Assert.IsType<CallTap>(h.Registry.Snapshot().Single().Tap);

        Assert.False(tap.CarriesAudio);
    }

    private static byte[] Decode(TapAudio chunk) =>
        chunk.IsBase64 ? Convert.FromBase64String(Encoding.ASCII.GetString(chunk.Span)) : chunk.Span.ToArray();
}
