using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Carriers.Twilio;
using Switchboard.Cli.Simulation;
using Xunit.Abstractions;

namespace Switchboard.IntegrationTests.Simulation;

public sealed class TwilioSimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Simulate_Twilio_SendsExactTwilioShapedMessages()
    {
        await using var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct));
        var options = new SimulationOptions
        {
            Url = gateway.WsUrl("/twilio"),
            CallerAudio = TestAudio.Tone(400),
            LeadInSeconds = 0.2,
            TailSeconds = 0.2,
            Speed = 10,
            Parameters = [new("tenant", "acme"), new("caller", "+15551234567")],
            Dtmf = [new DtmfPress('5', 300)],
        };

        var result = await CallSimulator.RunAsync(options).WaitAsync(Timeout);
        var session = await gateway.FinishedSessionAsync(Timeout);
        var messages = session.Received;
        var streamSid = result.Identity.StreamId;

        Assert.Matches("^MZ[0-9a-f]{32}$", streamSid);
        Assert.Matches("^CA[0-9a-f]{32}$", result.Identity.CallId);
        Assert.Matches("^AC[0-9a-f]{32}$", result.Identity.AccountId);

        Assert.Equal("""{"event":"connected","protocol":"Call","version":"1.0.0"}""", messages[0].Text);

        var start = messages[1].Root;
        Assert.Equal("start", start.GetProperty("event").GetString());
        Assert.Equal("1", start.GetProperty("sequenceNumber").GetString());
        Assert.Equal(streamSid, start.GetProperty("streamSid").GetString());
        var startBody = start.GetProperty("start");
        Assert.Equal(result.Identity.AccountId, startBody.GetProperty("accountSid").GetString());
        Assert.Equal(streamSid, startBody.GetProperty("streamSid").GetString());
        Assert.Equal(result.Identity.CallId, startBody.GetProperty("callSid").GetString());
        Assert.Equal(["inbound"], startBody.GetProperty("tracks").EnumerateArray().Select(t => t.GetString()));
        var mediaFormat = startBody.GetProperty("mediaFormat");
        Assert.Equal("audio/x-mulaw", mediaFormat.GetProperty("encoding").GetString());
        Assert.Equal(JsonValueKind.Number, mediaFormat.GetProperty("sampleRate").ValueKind);
        Assert.Equal(8000, mediaFormat.GetProperty("sampleRate").GetInt32());
        Assert.Equal(1, mediaFormat.GetProperty("channels").GetInt32());
        Assert.Equal("acme", startBody.GetProperty("customParameters").GetProperty("tenant").GetString());
        Assert.Contains("\"+15551234567\"", messages[1].Text, StringComparison.Ordinal); // '+' written literally, as Twilio does

        var media = messages.Where(m => m.Event == "media").ToList();
        Assert.Equal(result.MediaFramesSent, media.Count);
        Assert.Equal(40, media.Count); // 0.2 s lead-in + 0.4 s speech + 0.2 s tail
        for (var i = 0; i < media.Count; i++)
        {
            var root = media[i].Root;
            Assert.Equal(streamSid, root.GetProperty("streamSid").GetString());
            Assert.Equal(JsonValueKind.String, root.GetProperty("sequenceNumber").ValueKind);
            var body = root.GetProperty("media");
            Assert.Equal("inbound", body.GetProperty("track").GetString());
            Assert.Equal(JsonValueKind.String, body.GetProperty("chunk").ValueKind);
            Assert.Equal(JsonValueKind.String, body.GetProperty("timestamp").ValueKind);
            Assert.Equal((i + 1).ToString(), body.GetProperty("chunk").GetString());
            Assert.Equal((i * 20).ToString(), body.GetProperty("timestamp").GetString());
            Assert.Equal(160, media[i].Payload.Length);
        }

        // Silence is μ-law 0xFF exactly; speech sits between 200 and 600 ms.
        Assert.All(media.Take(10), m => Assert.All(m.Payload, b => Assert.Equal(G711.MuLawSilence, b)));
        Assert.All(media.Skip(10).Take(20), m => Assert.True(TestAudio.IsSpeech(m.Payload)));
        Assert.All(media.Skip(30), m => Assert.All(m.Payload, b => Assert.Equal(G711.MuLawSilence, b)));

        var dtmf = Assert.Single(messages, m => m.Event == "dtmf").Root;
        Assert.Equal(streamSid, dtmf.GetProperty("streamSid").GetString());
        Assert.Equal("inbound_track", dtmf.GetProperty("dtmf").GetProperty("track").GetString());
        Assert.Equal("5", dtmf.GetProperty("dtmf").GetProperty("digit").GetString());

        var stop = messages[^1].Root;
        Assert.Equal("stop", stop.GetProperty("event").GetString());
        Assert.Equal(streamSid, stop.GetProperty("streamSid").GetString());
        Assert.Equal(result.Identity.AccountId, stop.GetProperty("stop").GetProperty("accountSid").GetString());
        Assert.Equal(result.Identity.CallId, stop.GetProperty("stop").GetProperty("callSid").GetString());

        // Sequence numbers count every message after connected, as strings, without gaps.
        var sequence = messages.Skip(1).Select(m => long.Parse(m.Root.GetProperty("sequenceNumber").GetString()!)).ToList();
        Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, result.CloseStatus);
        Assert.False(result.GatewayClosedFirst);
        Assert.Empty(result.ProtocolViolations);
        var speech = Assert.Single(result.CallerSpeech);
        Assert.Equal(200, speech.StartMs, 0.01);
        Assert.Equal(600, speech.EndMs, 0.01);
    }

    [Fact]
    public async Task Simulate_Marks_AreEchoedOnlyAfterTheirAudioHasPlayed()
    {
        // A long tail leaves room for a CPU stall before the gateway's audio arrives (it must still play out in the call).
        const double Speed = 4;
        var sentAt = new Dictionary<string, double>();
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            var start = await s.ReceiveUntilAsync("start", ct);
            var sid = start.Root.GetProperty("streamSid").GetString();
            // Whole blocks per message, so a CPU stall on a busy machine cannot split the turn.
            await s.SendMediaAsync(TestAudio.MuLawTone(1000), sid);
            sentAt["one"] = s.NowMs;
            await s.SendMarkAsync("one", sid);
            await s.SendMediaAsync(TestAudio.MuLawTone(500), sid);
            sentAt["two"] = s.NowMs;
            await s.SendMarkAsync("two", sid);
            await s.DrainAsync(ct);
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/twilio"),
            CallerAudio = TestAudio.Tone(200),
            LeadInSeconds = 0,
            TailSeconds = 5,
            Speed = Speed,
        }).WaitAsync(Timeout);
        var session = await gateway.FinishedSessionAsync(Timeout);

        var echoes = session.Received.Where(m => m.Event == "mark").ToList();
        Assert.Equal(["one", "two"], echoes.Select(e => e.Root.GetProperty("mark").GetProperty("name").GetString()));
        foreach (var echo in echoes)
        {
            var root = echo.Root;
            Assert.Equal(result.Identity.StreamId, root.GetProperty("streamSid").GetString());
            Assert.Equal(JsonValueKind.String, root.GetProperty("sequenceNumber").ValueKind);
        }

        // On the wire: each echo comes no sooner than playout delay + the audio before it, in wall time.
        Assert.True(echoes[0].AtMs - sentAt["one"] >= (60 + 1000) / Speed - 5, $"mark one echoed after {echoes[0].AtMs - sentAt["one"]:0} ms wall");
        Assert.True(echoes[1].AtMs - sentAt["two"] >= (60 + 1500) / Speed - 5 - (sentAt["two"] - sentAt["one"]), "mark two echoed early");

        // On the call timeline: echoed when the audio queued before it finished, not at receipt.
        var one = result.Marks.Single(m => m.Name == "one");
        var two = result.Marks.Single(m => m.Name == "two");
        var turn = Assert.Single(result.Turns);
        Assert.Equal(AgentTurnEnd.Completed, turn.End);
        Assert.Equal(1500, turn.PlayedMs, 0.01);
        Assert.Equal(result.FirstAgentAudioReceivedMs!.Value + 60, turn.StartMs, 0.01);
        Assert.False(one.EchoedByClear);
        Assert.False(two.EchoedByClear);
        Assert.Equal(turn.StartMs + 1000, one.EchoedMs!.Value, 0.01);
        Assert.Equal(turn.StartMs + 1500, two.EchoedMs!.Value, 0.01);
        Assert.True(one.EchoedMs - one.ReceivedMs > 500, "mark one echoed at receipt");
    }

    [Fact]
    public async Task Simulate_Clear_FlushesQueueAndEchoesPendingMarksImmediately()
    {
        const double Speed = 5;
        double clearSentAt = 0;
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            var start = await s.ReceiveUntilAsync("start", ct);
            var sid = start.Root.GetProperty("streamSid").GetString();
            // 20 s queued, so echoes "at once" and "after playout" are seconds apart even on a loaded machine.
            await s.SendMediaAsync(TestAudio.MuLawTone(15000), sid);
            await s.SendMarkAsync("a", sid);
            await s.SendMediaAsync(TestAudio.MuLawTone(5000), sid);
            await s.SendMarkAsync("b", sid);
            await Task.Delay(TimeSpan.FromMilliseconds(500 / Speed), ct);
            clearSentAt = s.NowMs;
            await s.SendClearAsync(sid);
            await s.DrainAsync(ct);
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/twilio"),
            CallerAudio = TestAudio.Tone(200),
            LeadInSeconds = 0,
            TailSeconds = 5,
            Speed = Speed,
        }).WaitAsync(Timeout);
        var session = await gateway.FinishedSessionAsync(Timeout);

        // Both marks come back right after the clear, in order, long before their audio could have played.
        var echoes = session.Received.Where(m => m.Event == "mark").ToList();
        Assert.Equal(["a", "b"], echoes.Select(e => e.Root.GetProperty("mark").GetProperty("name").GetString()));
        Assert.All(echoes, e => Assert.True(e.AtMs - clearSentAt < 10000 / Speed, $"echo {e.AtMs - clearSentAt:0} ms after clear"));

        var clear = Assert.Single(result.Clears);
        Assert.All(result.Marks, m => Assert.True(m.EchoedByClear));
        Assert.All(result.Marks, m => Assert.Equal(clear.TimeMs, m.EchoedMs));
        Assert.Equal(2, clear.MarksEchoed);

        var turn = Assert.Single(result.Turns);
        Assert.True(turn.Interrupted);
        Assert.Equal(clear.TimeMs, turn.EndMs, 0.2);
        Assert.Equal(20000 - turn.PlayedMs, clear.DroppedAudioMs, 0.01);

        // What the caller heard: the tone from playout start until the clear, then nothing.
        var played = result.FirstAgentAudioPlayedMs!.Value;
        Assert.True(TestAudio.LevelDbfs(result.AgentAudio, 0, played - 1) < -100);
        Assert.True(TestAudio.LevelDbfs(result.AgentAudio, played + 5, clear.TimeMs - 5) > -20);
        Assert.True(TestAudio.LevelDbfs(result.AgentAudio, clear.TimeMs + 1, result.DurationMs) < -100);
    }

    [Fact]
    public async Task Simulate_AgentAudio_IsPlacedOnTheCallTimeline()
    {
        // The fake echoes the caller's speech back as soon as it hears the first silent frame after it.
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            var sid = (await s.ReceiveUntilAsync("start", ct)).Root.GetProperty("streamSid").GetString();
            var speech = new List<byte>();
            while (await s.ReceiveAsync(ct) is { } message)
            {
                if (message.Event != "media")
                {
                    continue;
                }

                var payload = message.Payload;
                if (TestAudio.IsSpeech(payload))
                {
                    speech.AddRange(payload);
                }
                else if (speech.Count > 0)
                {
                    await s.SendMediaAsync([.. speech], sid);
                    await s.SendMarkAsync("echo-end", sid);
                    speech.Clear();
                }
            }
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/twilio"),
            CallerAudio = TestAudio.Tone(400),
            LeadInSeconds = 0.2,
            TailSeconds = 3,
            Speed = 2,
        }).WaitAsync(Timeout);

        // Speech ends at 600 ms; the first silent frame goes out at 600 ms; playback starts 60 ms after arrival.
        var played = result.FirstAgentAudioPlayedMs!.Value;
        Assert.InRange(result.FirstAgentAudioReceivedMs!.Value, 600, 3000);
        Assert.Equal(result.FirstAgentAudioReceivedMs.Value + 60, played, 0.01);
        Assert.Equal(played - 600, result.TimeToFirstAgentAudioMs!.Value, 0.01);

        Assert.Equal(3600 * 8, result.AgentAudio.Length); // 0.2 s lead-in + 0.4 s speech + 3 s tail at 8 kHz
        Assert.True(TestAudio.LevelDbfs(result.AgentAudio, 0, played - 1) < -100);
        Assert.True(TestAudio.LevelDbfs(result.AgentAudio, played + 1, played + 399) > -20);
        Assert.True(TestAudio.LevelDbfs(result.AgentAudio, played + 401, result.DurationMs) < -100);

        var mark = Assert.Single(result.Marks);
        Assert.Equal(played + 400, mark.EchoedMs!.Value, 0.01);
        var turn = Assert.Single(result.Turns);
        Assert.Equal(400, turn.PlayedMs, 0.01);
        Assert.False(turn.Interrupted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Simulate_BargeIn_MeasuresClearDelayAndFlagsStaleMedia(bool buggyGateway)
    {
        // The fake talks for 10 s; when caller speech shows up after 1 s it clears, then either keeps
        // streaming the old answer (the bug) or waits for the caller to finish and answers afresh.
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            var sid = (await s.ReceiveUntilAsync("start", ct)).Root.GetProperty("streamSid").GetString();
            await s.SendMediaAsync(TestAudio.MuLawTone(10000), sid);
            var cleared = false;
            var answered = false;
            while (await s.ReceiveAsync(ct) is { } message)
            {
                if (message.Event != "media")
                {
                    continue;
                }

                var at = long.Parse(message.Root.GetProperty("media").GetProperty("timestamp").GetString()!);
                var speech = TestAudio.IsSpeech(message.Payload);
                if (at >= 1000 && speech && !cleared)
                {
                    cleared = true;
                    await s.SendClearAsync(sid);
                    if (buggyGateway)
                    {
                        await s.SendFramesAsync(TestAudio.MuLawTone(100), sid);
                    }
                }
                else if (cleared && !speech && !answered)
                {
                    answered = true;
                    await s.SendMediaAsync(TestAudio.MuLawTone(500), sid);
                }
            }
        });

        // A long barge-in keeps the stale window open even when a loaded machine delays the clear.
        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/twilio"),
            CallerAudio = TestAudio.Tone(300),
            BargeInAudio = TestAudio.Tone(3000),
            LeadInSeconds = 0.1,
            BargeInAtSeconds = [1.5],
            TailSeconds = 3,
            Speed = 2,
        }).WaitAsync(Timeout);
        Dump(result);

        var bargeIn = Assert.Single(result.BargeIns);
        Assert.Equal(1500, bargeIn.StartMs, 0.01);
        Assert.Equal(4500, bargeIn.EndMs, 0.01);
        var clear = Assert.Single(result.Clears);
        Assert.Equal(clear.TimeMs - 1500, bargeIn.ClearAfterMs!.Value, 0.01);
        Assert.InRange(bargeIn.ClearAfterMs.Value, 0, 3000);
        Assert.True(clear.DuringBargeIn);
        Assert.Equal(clear.TimeMs - 1500, clear.SinceSpeechStartMs!.Value, 0.01);
        Assert.True(clear.DroppedAudioMs > 1000);
        Assert.Contains(result.Timeline, e => e.Kind == TimelineKind.BargeInStarted && e.TimeMs == 1500);
        Assert.Contains(result.Timeline, e => e.Kind == TimelineKind.ClearReceived && e.TimeMs == clear.TimeMs);

        Assert.Equal(buggyGateway ? 5 : 0, result.StaleMediaCount);
        Assert.Equal(buggyGateway, result.Timeline.Any(e => e.Kind == TimelineKind.StaleMedia));
        Assert.True(result.ReceivedMedia.Where(f => f.AfterClear).All(f => f.ArrivalMs >= clear.TimeMs));

        // After a CPU stall the 10 s answer and the clear can arrive together, before the jitter delay let it play.
        if (result.FirstAgentAudioPlayedMs < clear.TimeMs)
        {
            Assert.True(result.Turns[0].Interrupted);
        }

        var answer = result.Turns[^1];
        Assert.Equal(AgentTurnEnd.Completed, answer.End);
        Assert.True(answer.StartMs >= 4500);
    }

    [Fact]
    public async Task Simulate_AuthToken_SignsTheUpgradeOverTheExactUrl()
    {
        await using var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct));
        var url = gateway.WsUrl("/twilio/media");
        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = url,
            CallerAudio = TestAudio.Tone(100),
            LeadInSeconds = 0,
            TailSeconds = 0,
            Speed = 10,
            AuthToken = "12345",
        }).WaitAsync(Timeout);

        var session = await gateway.FinishedSessionAsync(Timeout);
        Assert.Equal(TwilioSignature.Compute("12345", url), session.Headers["X-Twilio-Signature"]);
        Assert.True(TwilioSignature.IsValid("12345", session.Headers["X-Twilio-Signature"], url));
        Assert.Equal(string.Empty, session.Query);
    }

    [Fact]
    public async Task Simulate_GatewayAnswers403_ReportsRejectedSignature()
    {
        await using var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct), reject: _ => 403);
        var error = await Assert.ThrowsAsync<SimulationException>(() => CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/twilio"),
            AuthToken = "wrong",
            Speed = 10,
        }).WaitAsync(Timeout));
        Assert.Contains("gateway rejected the signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_ConnectionRefused_SaysSo()
    {
        string url;
        await using (var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct)))
        {
            url = gateway.WsUrl("/twilio");
        }

        var error = await Assert.ThrowsAsync<SimulationException>(() => CallSimulator.RunAsync(new SimulationOptions { Url = url }).WaitAsync(Timeout));
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_GatewayClosesWithPolicyViolation_StopsStreamingAndReportsClose()
    {
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            await s.ReceiveUntilAsync("start", ct);
            await s.CloseAsync(WebSocketCloseStatus.PolicyViolation, "bad token", ct);
            await s.DrainAsync(ct);
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/telnyx"),
            Carrier = CarrierKind.Telnyx,
            TailSeconds = 4,
            Speed = 2,
        }).WaitAsync(Timeout);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, result.CloseStatus);
        Assert.Equal("bad token", result.CloseDescription);
        Assert.True(result.GatewayClosedFirst);
        Assert.DoesNotContain(result.Timeline, e => e.Kind == TimelineKind.StopSent);
        Assert.True(result.MediaFramesSent < 200, $"kept streaming {result.MediaFramesSent} frames after the close"); // the full call is 300
        Assert.Contains("gateway rejected the token", SimulationReport.DescribeClose(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_TwilioMediaWithoutStreamSid_IsAProtocolViolationAndNotPlayed()
    {
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            await s.ReceiveUntilAsync("start", ct);
            await s.SendFramesAsync(TestAudio.MuLawTone(100), streamSid: null);
            await s.SendAsync("""{"event":"bogus"}""", ct);
            await s.DrainAsync(ct);
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WsUrl("/twilio"),
            CallerAudio = TestAudio.Tone(100),
            TailSeconds = 0.5,
            Speed = 10,
        }).WaitAsync(Timeout);

        Assert.Equal(6, result.ProtocolViolations.Count);
        Assert.Contains("missing \"streamSid\"", result.ProtocolViolations[0].Problem, StringComparison.Ordinal);
        Assert.Contains("unknown event", result.ProtocolViolations[^1].Problem, StringComparison.Ordinal);
        Assert.Empty(result.ReceivedMedia);
        Assert.Empty(result.Turns);
    }

    // The timeline makes timing failures on a loaded machine diagnosable from the test log.
    private void Dump(SimulationResult result)
    {
        foreach (var entry in result.Timeline)
        {
            output.WriteLine(SimulationReport.FormatEntry(entry));
        }
    }
}
