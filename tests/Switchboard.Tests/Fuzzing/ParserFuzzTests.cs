using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Carriers.Telnyx;
using Switchboard.Carriers.Twilio;
using Switchboard.Configuration;
using Switchboard.Sessions;
using Switchboard.SipConnector;
using Switchboard.Telegram;
using Switchboard.Testing.Telegram;

namespace Switchboard.Tests.Fuzzing;

/// <summary>
/// Property tests (CsCheck, a bounded number of inputs) for every parser of untrusted input that runs without a socket:
/// carrier frames (Twilio, Telnyx), backend events, session client messages and audio frames, OpenAI SIP connector webhooks,
/// Telegram initData and launch tokens. Each gets valid inputs and hostile variants of them (<see cref="Mutations"/>); none may
/// throw, and each answers a clean value: a defined status, and an error with its reason whenever it refuses. HTTP API bodies
/// are fuzzed against a real gateway by the integration tests' HostileJsonTests. docs/reliability.md says how to run longer.
/// </summary>
public sealed class ParserFuzzTests
{
    private const string TwilioStart = """
        {"event":"start","sequenceNumber":"1","streamSid":"MZ0123","start":{"accountSid":"AC1","streamSid":"MZ0123","callSid":"CA9","tracks":["inbound"],
         "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{"From":"+15550001","To":"+15550002","tenant":"acme"}}}
        """;

    private static readonly string[] TwilioFrames =
    [
        TwilioStart,
        """{"event":"connected","protocol":"Call","version":"1.0.0"}""",
        """{"event":"media","sequenceNumber":"4","streamSid":"MZ1","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"no+JhoaJ"}}""",
        """{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"sb-7"}}""",
        """{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}""",
        """{"event":"stop","sequenceNumber":"5","streamSid":"MZ1","stop":{"accountSid":"AC1","callSid":"CA1"}}""",
    ];

    private static readonly string[] TelnyxFrames =
    [
        """{"event":"connected","version":"1.0.0"}""",
        "{\"event\":\"start\",\"sequence_number\":\"1\",\"stream_id\":\"32de0dea\",\"start\":{\"user_id\":\"u1\",\"call_control_id\":\"v3:abc\",\"call_session_id\":\"s1\","
            + "\"client_state\":\"" + Convert.ToBase64String("""{"tenant":"acme","n":"1"}"""u8) + "\",\"from\":\"+13122010094\",\"to\":\"+13122123456\","
            + "\"media_format\":{\"encoding\":\"PCMU\",\"sample_rate\":8000,\"channels\":1}}}",
        """{"event":"start","stream_id":"s1","call_control_id":"v3:x","client_state":"bm90IGpzb24=","media_format":{"encoding":"L16","sample_rate":16000}}""",
        """{"event":"media","sequence_number":"4","stream_id":"x","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"AAEC"}}""",
        """{"event":"mark","sequence_number":"5","stream_id":"x","mark":{"name":"sb-3"}}""",
        """{"event":"dtmf","sequence_number":"6","stream_id":"x","dtmf":{"digit":"#"}}""",
        """{"event":"error","sequence_number":"7","stream_id":"x","payload":{"code":100003,"title":"malformed_frame","detail":"bad"}}""",
        """{"event":"stop","sequence_number":"8","stream_id":"x","stop":{"user_id":"u1","call_control_id":"v3:abc"}}""",
    ];

    private static readonly string[] BackendEvents =
    [
        """{"type":"session.created","event_id":"ev1","session":{"id":"sess_1","model":"gpt-realtime","audio":{"output":{"voice":"marin","format":{"type":"audio/pcmu"}}}}}""",
        """{"type":"session.updated","event_id":"ev1b","session":{"id":"sess_1","instructions":"Be brief.","tools":[{"type":"function","name":"lookup"}]}}""",
        """{"type":"response.output_audio.delta","event_id":"e2","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"AAAA"}""",
        """{"type":"response.output_audio_transcript.delta","event_id":"e2b","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"Hi th"}""",
        """{"type":"response.created","event_id":"e2c","response":{"id":"resp_1","status":"in_progress","metadata":{"purpose":"summary"}}}""",
        """{"type":"response.done","event_id":"e3","response":{"id":"resp_1","status":"completed","output":[{"id":"item_1","type":"message","role":"assistant","content":[{"type":"output_audio","transcript":"Hi"}]}],"usage":{"total_tokens":10,"input_tokens":4,"output_tokens":6,"input_token_details":{"audio_tokens":2,"text_tokens":2},"output_token_details":{"audio_tokens":5,"text_tokens":1}},"metadata":{"purpose":"summary"}}}""",
        """{"type":"conversation.item.input_audio_transcription.completed","event_id":"e4","item_id":"item_2","content_index":0,"transcript":"Hello there"}""",
        """{"type":"error","event_id":"e5","error":{"type":"invalid_request_error","code":"response_cancel_not_active","message":"bad","param":null,"event_id":"c1"}}""",
        """{"type":"response.function_call_arguments.done","event_id":"e6","response_id":"r","item_id":"i","output_index":0,"call_id":"call_1","name":"lookup","arguments":"{\"a\":1}"}""",
        """{"type":"response.output_item.done","event_id":"e7","response_id":"r","output_index":0,"item":{"id":"i","type":"function_call","status":"completed","call_id":"c","name":"n","arguments":"{}"}}""",
        """{"type":"input_audio_buffer.speech_started","event_id":"e8","audio_start_ms":100,"item_id":"item_3"}""",
        """{"type":"input_audio_buffer.speech_stopped","event_id":"e9","audio_end_ms":900,"item_id":"item_3"}""",
        """{"type":"rate_limits.updated","event_id":"e10","rate_limits":[{"name":"tokens","limit":1000,"remaining":900,"reset_seconds":1.5}]}""",
    ];

    private static readonly string[] SessionMessages =
    [
        """{"type":"text","payload":{"text":"Hello"}}""",
        """{"type":"user_message","payload":{"text":"Hello"}}""",
        """{"type":"hangup","payload":{}}""",
        """{"type":"ping","payload":{"t":1}}""",
        """{"type":"interrupt","payload":{"itemId":"item_1","playedMs":300}}""",
        """{"type":"playback","payload":{"itemId":"item_1","playedMs":1840.75,"interrupted":true}}""",
        """{"type":"action_result","payload":{"callId":"call_1","result":{"ok":true,"shown":"x"}}}""",
        """{"type":"audio","payload":{"audio":"AAABAA==","sampleRate":16000}}""",
        """{"payload":{"sampleRate":16000,"audio":"AAABAA=="},"sessionId":"x","seq":3,"type":"audio"}""",
    ];

    private static readonly string[] SipWebhooks =
    [
        """
        {"id":"evt_abc123","object":"event","type":"realtime.call.incoming","created_at":1719168000,
         "data":{"call_id":"rtc_479a275623b54bdb9b6fbae2f7cbd408","sip_headers":[
           {"name":"Max-Forwards","value":"63"},{"name":"From","value":"\"Ann\" <sip:+15550001@example.com>;tag=1"},{"name":"To","value":"<sip:+15550002@sip.api.openai.com>"}]}}
        """,
        """{"id":"e","type":"live.transport.incoming","data":{"type":"sip","session_id":"rtc_1"}}""",
    ];

    [Fact]
    public void Twilio_HostileFrames_ParseToAStatusNeverAnException() => CarrierFrames(TwilioFrames, () => new TwilioProtocol());

    [Fact]
    public void Telnyx_HostileFrames_ParseToAStatusNeverAnException() => CarrierFrames(TelnyxFrames, () => new TelnyxProtocol());

    [Fact]
    public void Telnyx_HostileClientState_DecodesToParametersNeverAnException() =>
        Gen.Select(Mutations.Of("""{"tenant":"acme","n":"1","deep":{"a":[1,2]}}""", "plain text", "{}"), Gen.Bool).Sample((bytes, asBase64) =>
        {
            var state = asBase64 ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes);
            var parameters = TelnyxProtocol.DecodeClientState(state);
            Assert.All(parameters, p => Assert.NotNull(p.Value));
        }, seed: Mutations.Seed, iter: Mutations.Iterations, time: Mutations.Seconds);

    [Fact]
    public void Backend_HostileEvents_ScanAndParseWithoutAnException() =>
        Mutations.Of(BackendEvents).Sample(bytes =>
        {
            // The reader's path: the header scan for every frame, the full parse for anything that is not audio.
            if (RealtimeEventScanner.TryScan(bytes, out var header))
            {
                Assert.True(Enum.IsDefined(header.Type));
            }

            _ = RealtimeEventParser.Parse(bytes);
        }, seed: Mutations.Seed, iter: Mutations.Iterations, time: Mutations.Seconds);

    [Fact]
    public void Session_HostileClientMessages_ParseOrAnswerAnErrorNeverAnException() =>
        Mutations.Of(SessionMessages).Sample(bytes =>
        {
            var scan = SessionAudioScanner.Scan(bytes, out _, out _, out _, out var scanError);
            Assert.True(Enum.IsDefined(scan));
            Assert.Equal(scan == SessionAudioScan.Invalid, scanError is not null);
            if (scan == SessionAudioScan.NotAudio)
            {
                var parsed = SessionClientMessages.TryParse(bytes, out _, out var error);
                Assert.Equal(parsed, error is null);
                Assert.True(parsed || (error!.Code.Length > 0 && error.Message.Length > 0));
            }
        }, seed: Mutations.Seed, iter: Mutations.Iterations, time: Mutations.Seconds);

    [Fact]
    public void SipConnector_HostileWebhooks_ParseOrNameTheProblemNeverAnException() =>
        Mutations.Of(SipWebhooks).Sample(bytes =>
        {
            var parsed = SipWebhookEvents.TryParse(bytes, out var evt, out var problem);
            Assert.Equal(parsed, evt is not null);
            Assert.True(parsed || !string.IsNullOrEmpty(problem));
        }, seed: Mutations.Seed, iter: Mutations.Iterations, time: Mutations.Seconds);

    [Fact]
    public void Telegram_HostileInitData_IsRefusedWithAReasonNeverAnException()
    {
        var now = new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);
        var valid = InitDataSigner.Sign("123:secret", 42, now.AddSeconds(-5), new Dictionary<string, string> { ["chat_instance"] = "81", ["chat_type"] = "private" });
        var verifier = new InitDataVerifier("123:secret", [TelegramOptions.ProductionPublicKey], TimeSpan.FromHours(1), new FakeTimeProvider(now));
        Mutations.TextOf(valid, Uri.UnescapeDataString(valid), "a=b&hash=00", "user=%7B%7D").Sample(initData =>
        {
            var check = verifier.Verify(initData);
            Assert.True(Enum.IsDefined(check.Status));
            // Whatever a mutation kept valid still names the signed user; anything refused says why.
            Assert.True(check.IsValid ? check.Data!.UserId == 42 : !string.IsNullOrEmpty(check.Reason), $"{check.Status}: {check.Reason}");
        }, seed: Mutations.Seed, iter: Mutations.Iterations, time: Mutations.Seconds);
    }

    [Fact]
    public void Telegram_HostileLaunchTokens_ReadAsInvalidNeverAnException()
    {
        var key = LaunchTokens.DeriveKey("signing-key-of-this-gateway-0123"u8);
        var now = new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);
        var (token, _) = LaunchTokens.Issue(key, "default", 42, 42, now, TimeSpan.FromMinutes(2));
        Mutations.TextOf(token, token + "." + token, "a.b").Sample(candidate =>
        {
            var status = LaunchTokens.Read(key, candidate, "default", now, out var claims);
            Assert.True(Enum.IsDefined(status));
            Assert.True(status == LaunchTokenStatus.Valid ? claims is { UserId: 42 } : claims is null, $"{status} {claims}");
        }, seed: Mutations.Seed, iter: Mutations.Iterations, time: Mutations.Seconds);
    }

    /// <summary>A fresh protocol per sample (they keep the stream's format); a refusal carries its detail.</summary>
    private static void CarrierFrames(string[] seeds, Func<JsonCarrierProtocol> protocol) =>
        Mutations.Of(seeds).Sample(bytes =>
        {
            var status = protocol().TryParse(bytes, out var frame);
            Assert.True(Enum.IsDefined(status));
            Assert.True(status == CarrierParseStatus.Ok || status == CarrierParseStatus.UnknownEvent || !string.IsNullOrEmpty(frame.Detail), $"{status} without a detail");
        }, seed: Mutations.Seed, iter: Mutations.Iterations, time: Mutations.Seconds);
}
