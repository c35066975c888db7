using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Carriers.Twilio;

namespace Switchboard.Benchmarks;

/// <summary>The per-frame steps of the μ-law passthrough relay, each direction.</summary>
[MemoryDiagnoser]
public class FramePathBenchmarks
{
    private readonly TwilioProtocol _twilio = new();
    private readonly Switchboard.Carriers.Telnyx.TelnyxProtocol _telnyx = new();
    private byte[] _telnyxMedia = [];
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private byte[] _twilioMedia = [];
    private byte[] _audioDelta = [];

    [GlobalSetup]
    public void Setup()
    {
        _twilio.BindStream("MZ0123456789abcdef0123456789abcdef");
        var payload = Convert.ToBase64String(Enumerable.Range(0, 160).Select(i => (byte)i).ToArray());
        _twilioMedia = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"sequenceNumber\":\"42\",\"streamSid\":\"MZ0123456789abcdef0123456789abcdef\",\"media\":{\"track\":\"inbound\",\"chunk\":\"41\",\"timestamp\":\"820\",\"payload\":\"" + payload + "\"}}");
        _telnyxMedia = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"sequence_number\":\"42\",\"stream_id\":\"32de0dea-53cb-4b21-89a4-9e1819c043bc\",\"media\":{\"track\":\"inbound\",\"chunk\":\"41\",\"timestamp\":\"820\",\"payload\":\"" + payload + "\"}}");
        _audioDelta = Encoding.UTF8.GetBytes($$"""{"type":"response.output_audio.delta","event_id":"event_123","response_id":"resp_abc","item_id":"item_def","output_index":0,"content_index":0,"delta":"{{payload}}"}""");
    }

    /// <summary>Carrier media frame in → <c>input_audio_buffer.append</c> out (parse, validate, copy).</summary>
    [Benchmark]
    public int CarrierFrameToAppend()
    {
        _twilio.TryParse(_twilioMedia, out var frame);
        _output.ResetWrittenCount();
        RealtimeClientEvents.WriteAppendBase64(_output, frame.Payload);
        return _output.WrittenCount;
    }

    /// <summary>Backend audio delta in → carrier media frame out (scan, copy).</summary>
    [Benchmark]
    public int AudioDeltaToCarrierFrame()
    {
        RealtimeEventScanner.TryScan(_audioDelta, out var header);
        _output.ResetWrittenCount();
        _twilio.WriteMediaBase64(_output, header.Delta);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int ParseTwilioMedia() => (int)_twilio.TryParse(_twilioMedia, out _);

    [Benchmark]
    public int ParseTelnyxMedia() => (int)_telnyx.TryParse(_telnyxMedia, out _);

    [Benchmark]
    public int ScanAudioDelta()
    {
        RealtimeEventScanner.TryScan(_audioDelta, out var header);
        return (int)header.Type;
    }
}
