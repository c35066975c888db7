using System.CommandLine;
using System.Globalization;
using System.Net.WebSockets;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;
using Switchboard.Cli.Simulation.Sip;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>switchboard simulate</c>: places a simulated Twilio or Telnyx call against a running gateway; with <c>--sip</c>, plays
/// OpenAI's Realtime SIP connector instead (webhook, REST calls, sideband, with the local backend behind it).
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Exit code when the call ran but the gateway misbehaved (stale media, protocol violations, rejection).</summary>
    public const int GatewayProblemExitCode = 2;

    private static readonly Option<string?> Url = new("--url")
    {
        HelpName = "url",
        Description = "Gateway WebSocket URL [default: ws://127.0.0.1:5050/twilio, or /telnyx with --carrier telnyx]",
    };

    private static readonly Option<string> Carrier = new Option<string>("--carrier")
    {
        Description = "Carrier to act as [default: $VOICE_CARRIER_PRIMARY, else twilio]",
        DefaultValueFactory = result =>
        {
            var primary = Environment.GetEnvironmentVariable("VOICE_CARRIER_PRIMARY");
            if (string.IsNullOrEmpty(primary))
            {
                return "twilio";
            }

            primary = primary.Trim().ToLowerInvariant();
            if (primary is not ("twilio" or "telnyx"))
            {
                result.AddError($"VOICE_CARRIER_PRIMARY must be twilio or telnyx (got '{primary}')");
            }

            return primary;
        },
    }.AcceptOnlyFromAmong("twilio", "telnyx");

    private static readonly Option<FileInfo?> Wav = new("--wav")
    {
        HelpName = "file.wav",
        Description = "What the caller says (any WAV the reader supports; resampled). Default: a generated 1.5 s speech-like signal",
    };

    private static readonly Option<FileInfo?> Out = new("--out")
    {
        HelpName = "file.wav",
        Description = "Write the agent audio as the caller heard it (8 kHz 16-bit WAV on the call timeline)",
    };

    private static readonly Option<double> Speed = new("--speed")
    {
        HelpName = "factor",
        Description = "Time acceleration: 1 = real time, 10 = ten times faster (frame pacing and playout both scale; so do measured latencies)",
        DefaultValueFactory = _ => 1,
    };

    private static readonly Option<double[]> BargeInAt = new("--barge-in-at")
    {
        HelpName = "seconds",
        Description = "Seconds from stream start at which the caller talks over the agent (repeatable)",
    };

    private static readonly Option<FileInfo?> BargeInWav = new("--barge-in-wav")
    {
        HelpName = "file.wav",
        Description = "What the caller says when barging in [default: the caller audio]",
    };

    private static readonly Option<double> LeadIn = new("--lead-in")
    {
        HelpName = "seconds",
        Description = "Seconds of silence before the caller starts speaking",
        DefaultValueFactory = _ => 0.5,
    };

    private static readonly Option<double> Tail = new("--tail")
    {
        HelpName = "seconds",
        Description = "Seconds to keep the call open after the last caller audio",
        DefaultValueFactory = _ => 4,
    };

    private static readonly Option<double> PlayoutDelay = new("--playout-delay-ms")
    {
        HelpName = "ms",
        Description = "Simulated carrier jitter buffer before agent audio plays",
        DefaultValueFactory = _ => 60,
    };

    private static readonly Option<string[]> Params = new("--param")
    {
        HelpName = "name=value",
        Description = "Twilio customParameters / Telnyx client_state JSON field (repeatable)",
    };

    private static readonly Option<string?> AuthToken = new("--auth-token")
    {
        HelpName = "token",
        Description = "Twilio: sign the WebSocket upgrade (X-Twilio-Signature) with this auth token [default: $TWILIO_AUTH_TOKEN]",
    };

    private static readonly Option<string?> Token = new("--token")
    {
        HelpName = "token",
        Description = "Telnyx: stream token sent as ?token= [default: $TELNYX_STREAM_TOKEN]",
    };

    private static readonly Option<string> Codec = new Option<string>("--codec")
    {
        Description = "Telnyx media_format encoding (L16 is 16-bit big-endian)",
        DefaultValueFactory = _ => "PCMU",
    }.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, "PCMU", "PCMA", "L16");

    private static readonly Option<int> Rate = new("--rate")
    {
        HelpName = "hz",
        Description = "Telnyx sample rate: 8000, or 16000 with --codec L16",
        DefaultValueFactory = _ => 8000,
    };

    private static readonly Option<string[]> Dtmf = new("--dtmf")
    {
        HelpName = "digit@seconds",
        Description = "Press a key at that time, e.g. 5@2.5 (repeatable)",
    };

    private static readonly Option<FileInfo?> Json = new("--json")
    {
        HelpName = "file.json",
        Description = "Write the timeline and metrics as JSON to this file",
    };

    private static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Also print every mark received and echoed",
    };

    private static readonly Option<bool> Sip = new("--sip")
    {
        Description = "Play OpenAI's Realtime SIP connector instead of a carrier: sign and post the realtime.call.incoming webhook, serve the REST calls " +
            "and the sideband, with the local backend as the agent (docs/sip.md). The gateway needs TEST_MODE=1 (or --secret), " +
            "OPENAI_BASE_URL=<listen>/v1 and OPENAI_REALTIME_URL=ws://<listen host>/v1/realtime",
    };

    private static readonly Option<string> Listen = new("--listen")
    {
        HelpName = "url",
        Description = "--sip: where the simulated connector listens",
        DefaultValueFactory = _ => SipSimulationOptions.DefaultListenUrl,
    };

    private static readonly Option<string?> Secret = new("--secret")
    {
        HelpName = "whsec_…",
        Description = "--sip: sign the webhook with this secret [default: $OPENAI_WEBHOOK_SECRET, else a throwaway one for a gateway in TEST_MODE]",
    };

    private static readonly Option<string> From = new("--from")
    {
        HelpName = "number",
        Description = "--sip: the caller's number (SIP From)",
        DefaultValueFactory = _ => "+15550001111",
    };

    private static readonly Option<string> To = new("--to")
    {
        HelpName = "number",
        Description = "--sip: the number dialled (SIP To; routes to the endpoint listing it)",
        DefaultValueFactory = _ => "+15550002222",
    };

    private static readonly Option<FileInfo?> Scenario = new("--scenario")
    {
        HelpName = "file.json",
        Description = "--sip: a local backend scenario for the agent (tools, transfer, goodbye; samples/scenarios) [default: the echo agent]",
    };

    private static readonly Option<double?> HangUpAt = new("--hangup-at")
    {
        HelpName = "seconds",
        Description = "--sip: the caller hangs up this long after the call is answered",
    };

    private static readonly Option<string[]> SipHeader = new("--sip-header")
    {
        HelpName = "name=value",
        Description = "--sip: an extra INVITE header, e.g. X-Customer-Id=42 (repeatable)",
    };

    private static readonly Option<bool> Budget = new("--budget")
    {
        Description = "After the call, print each turn's latency budget (gateway in, backend, gateway out, playout); needs the gateway started with --Switchboard:Diagnostics:Enabled=true",
    };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("simulate", "Place a simulated Twilio or Telnyx call against a running gateway and report its timing")
        {
            Url, Carrier, Wav, Out, Speed, BargeInAt, BargeInWav, LeadIn, Tail, PlayoutDelay, Params,
            AuthToken, Token, Codec, Rate, Dtmf, Json, Verbose, Budget,
            Sip, Listen, Secret, From, To, Scenario, HangUpAt, SipHeader,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        if (parse.GetValue(Sip))
        {
            return await RunSipAsync(parse, stdout, stderr, cancellationToken);
        }

        try
        {
            var (options, audioNote) = BuildOptions(parse, stdout, stderr);
            var format = options.Format;
            stdout.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Simulating a {options.Carrier} call to {options.Url} ({format.TelnyxEncoding}/{format.SampleRate}, speed {options.Speed}x, playout delay {options.PlayoutDelayMs} ms)"));
            stdout.WriteLine(audioNote);
            stdout.WriteLine();

            var result = await CallSimulator.RunAsync(options, cancellationToken);
            SimulationReport.WriteSummary(stdout, result);
            if (parse.GetValue(Budget) && await LatencyBudget.FetchAsync(options.Url, result, stderr, cancellationToken) is { } budget)
            {
                LatencyBudget.Write(stdout, budget);
            }

            if (parse.GetValue(Out) is { } outFile)
            {
                WavFile.Write(outFile.FullName, result.AgentAudio, 8000);
                stdout.WriteLine($"  {"agent audio",-27}{outFile.FullName}");
            }

            if (parse.GetValue(Json) is { } jsonFile)
            {
                using (var stream = File.Create(jsonFile.FullName))
                {
                    SimulationReport.WriteJson(stream, result, options.Url);
                }

                stdout.WriteLine($"  {"json",-27}{jsonFile.FullName}");
            }

            return ExitCode(result, options, stderr);
        }
        catch (SimulationException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Writing --out or --json failed; the call itself has been reported above.
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("cancelled");
            return 130;
        }
    }

    /// <summary><c>--sip</c>: one SIP connector call, played from OpenAI's side, then a summary.</summary>
    private static async Task<int> RunSipAsync(ParseResult parse, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var outFile = parse.GetValue(Out);
            if (outFile?.Directory is { Exists: false } directory)
            {
                throw new SimulationException($"--out: directory '{directory.FullName}' does not exist");
            }

            if (parse.GetValue(Scenario) is { Exists: false } missing)
            {
                throw new SimulationException($"--scenario: '{missing.FullName}' not found");
            }

            var wav = parse.GetValue(Wav);
            var caller = wav is null ? null : SimulationAudio.Resample(ReadWav(wav, "caller"), 24_000);
            var options = new SipSimulationOptions
            {
                WebhookUrl = parse.GetValue(Url) ?? "http://127.0.0.1:5050/openai/webhook",
                ListenUrl = parse.GetValue(Listen)!,
                Secret = parse.GetValue(Secret) ?? NullIfEmpty(Environment.GetEnvironmentVariable("OPENAI_WEBHOOK_SECRET")),
                From = parse.GetValue(From)!,
                To = parse.GetValue(To)!,
                CallerAudio = caller,
                LeadInSeconds = parse.GetResult(LeadIn) is { Implicit: false } ? parse.GetValue(LeadIn) : 3,
                TailSeconds = parse.GetResult(Tail) is { Implicit: false } ? parse.GetValue(Tail) : 8,
                ScenarioPath = parse.GetValue(Scenario)?.FullName,
                HangUpAtSeconds = parse.GetValue(HangUpAt),
                Headers = ParseParameters(parse.GetValue(SipHeader) ?? []),
                // The relays note events from several threads; a writer (a test's StringWriter) may not be thread-safe.
                OnTimeline = line =>
                {
                    lock (stdout)
                    {
                        stdout.WriteLine(line);
                    }
                },
            };
            stdout.WriteLine($"Simulating an OpenAI SIP connector call from {options.From} to {options.To} (call {options.CallId})");
            stdout.WriteLine(caller is null ? "Caller audio: a generated 1.5 s speech-like test signal" : $"Caller audio: {wav!.Name}");
            stdout.WriteLine();

            var result = await SipConnectorSimulator.RunAsync(options, cancellationToken);
            stdout.WriteLine();
            stdout.WriteLine($"  {"ended",-16}{result.Ending}");
            stdout.WriteLine($"  {"accepted",-16}{(result.AcceptedSession is null ? "no" : "yes")}{(result.RejectStatus is { } status ? $" (rejected {status})" : "")}");
            stdout.WriteLine($"  {"agent turns",-16}{result.AgentTurns.Count}");
            stdout.WriteLine($"  {"tool calls",-16}{(result.ToolCalls.Count == 0 ? "none" : string.Join(", ", result.ToolCalls))}");
            stdout.WriteLine($"  {"transfer",-16}{result.ReferTarget ?? "none"}");
            stdout.WriteLine($"  {"hung up",-16}{(result.HungUp ? "by the gateway" : "no")}");
            if (outFile is not null)
            {
                WavFile.Write(outFile.FullName, result.AgentAudio, 24_000);
                stdout.WriteLine($"  {"agent audio",-16}{outFile.FullName}");
            }

            if (result.WebhookStatus is 401 or 400)
            {
                stderr.WriteLine($"error: the gateway refused the webhook ({result.WebhookStatus}); start it with TEST_MODE=1, or pass the gateway's OPENAI_WEBHOOK_SECRET with --secret");
                return GatewayProblemExitCode;
            }

            if (result.WebhookStatus != 200 || result.Problems.Count > 0)
            {
                stderr.WriteLine($"error: gateway problems: {(result.WebhookStatus != 200 ? $"webhook answered {result.WebhookStatus}; " : "")}{string.Join("; ", result.Problems)}");
                return GatewayProblemExitCode;
            }

            if (result.AcceptedSession is null && result.RejectStatus is null)
            {
                stderr.WriteLine("error: the gateway neither accepted nor rejected the call; is it started with OPENAI_BASE_URL pointing at --listen /v1?");
                return GatewayProblemExitCode;
            }

            return 0;
        }
        catch (SimulationException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("cancelled");
            return 130;
        }
    }

    private static int ExitCode(SimulationResult result, SimulationOptions options, TextWriter stderr)
    {
        if (result.GatewayClosedFirst && result.CloseStatus == WebSocketCloseStatus.PolicyViolation)
        {
            stderr.WriteLine(options.Carrier == CarrierKind.Telnyx
                ? "error: gateway rejected the token (close 1008); check --token / TELNYX_STREAM_TOKEN"
                : $"error: gateway rejected the call (close 1008 {result.CloseDescription})");
            return GatewayProblemExitCode;
        }

        if (result.StaleMediaCount > 0 || result.ProtocolViolations.Count > 0)
        {
            stderr.WriteLine($"error: gateway problems: {result.StaleMediaCount} stale media frame(s), {result.ProtocolViolations.Count} protocol violation(s)");
            return GatewayProblemExitCode;
        }

        return 0;
    }

    private static (SimulationOptions Options, string AudioNote) BuildOptions(ParseResult parse, TextWriter stdout, TextWriter stderr)
    {
        var carrier = parse.GetValue(Carrier) == "telnyx" ? CarrierKind.Telnyx : CarrierKind.Twilio;
        var codec = parse.GetValue(Codec)!.ToUpperInvariant() switch
        {
            "PCMA" => MediaCodec.Pcma,
            "L16" => MediaCodec.L16,
            _ => MediaCodec.Pcmu,
        };
        var url = parse.GetValue(Url) ?? (carrier == CarrierKind.Twilio ? "ws://127.0.0.1:5050/twilio" : "ws://127.0.0.1:5050/telnyx");

        foreach (var (file, option) in new[] { (parse.GetValue(Out), "--out"), (parse.GetValue(Json), "--json") })
        {
            // Fail before the call rather than after it.
            if (file?.Directory is { Exists: false } directory)
            {
                throw new SimulationException($"{option}: directory '{directory.FullName}' does not exist");
            }
        }

        var wav = parse.GetValue(Wav);
        var caller = wav is null ? null : ReadWav(wav, "caller");
        var bargeInWav = parse.GetValue(BargeInWav);
        var bargeIn = bargeInWav is null ? null : ReadWav(bargeInWav, "barge-in");
        var note = caller is null
            ? "Caller audio: no --wav given, using a generated 1.5 s speech-like test signal"
            : string.Create(CultureInfo.InvariantCulture, $"Caller audio: {wav!.Name}, {caller.Samples.Length * 1000.0 / caller.SampleRate:0} ms at {caller.SampleRate} Hz");

        var options = new SimulationOptions
        {
            Url = url,
            Carrier = carrier,
            Codec = carrier == CarrierKind.Twilio ? MediaCodec.Pcmu : codec,
            SampleRate = parse.GetValue(Rate),
            CallerAudio = caller,
            BargeInAudio = bargeIn,
            BargeInAtSeconds = parse.GetValue(BargeInAt) ?? [],
            LeadInSeconds = parse.GetValue(LeadIn),
            TailSeconds = parse.GetValue(Tail),
            Speed = parse.GetValue(Speed),
            PlayoutDelayMs = parse.GetValue(PlayoutDelay),
            Parameters = ParseParameters(parse.GetValue(Params) ?? []),
            AuthToken = carrier == CarrierKind.Twilio ? parse.GetValue(AuthToken) ?? NullIfEmpty(Environment.GetEnvironmentVariable("TWILIO_AUTH_TOKEN")) : null,
            Token = carrier == CarrierKind.Telnyx ? parse.GetValue(Token) ?? NullIfEmpty(Environment.GetEnvironmentVariable("TELNYX_STREAM_TOKEN"))
                ?? NullIfEmpty(Environment.GetEnvironmentVariable("VOICE_GATEWAY_TOKEN")) : null,
            Dtmf = ParseDtmf(parse.GetValue(Dtmf) ?? []),
            OnTimeline = parse.GetValue(Verbose)
                ? e => stdout.WriteLine(SimulationReport.FormatEntry(e))
                : e =>
                {
                    if (SimulationReport.IsHeadline(e))
                    {
                        stdout.WriteLine(SimulationReport.FormatEntry(e));
                    }
                },
        };

        if (carrier == CarrierKind.Twilio && (parse.GetResult(Codec) is { Implicit: false } || parse.GetResult(Rate) is { Implicit: false }))
        {
            stderr.WriteLine("note: Twilio streams are always μ-law at 8000 Hz; ignoring --codec/--rate");
            options = options with { SampleRate = 8000 };
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new SimulationException(string.Join(Environment.NewLine + "error: ", errors));
        }

        return (options, note);
    }

    private static WavAudio ReadWav(FileInfo file, string role)
    {
        if (!file.Exists)
        {
            throw new SimulationException($"{role} WAV file '{file.FullName}' not found");
        }

        try
        {
            var audio = WavFile.Read(file.FullName);
            return audio.Samples.Length > 0 ? audio : throw new SimulationException($"{role} WAV file '{file.Name}' has no audio");
        }
        catch (InvalidDataException ex)
        {
            throw new SimulationException($"unsupported {role} WAV file '{file.Name}': {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new SimulationException($"cannot read {role} WAV file '{file.Name}': {ex.Message}", ex);
        }
    }

    private static List<KeyValuePair<string, string>> ParseParameters(string[] values)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new SimulationException($"--param '{value}' is not name=value");
            }

            parameters.Add(new(value[..equals], value[(equals + 1)..]));
        }

        return parameters;
    }

    private static List<DtmfPress> ParseDtmf(string[] values)
    {
        var presses = new List<DtmfPress>();
        foreach (var value in values)
        {
            if (!DtmfPress.TryParse(value, out var press, out var error))
            {
                throw new SimulationException($"--dtmf {error}");
            }

            presses.Add(press);
        }

        return presses;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
