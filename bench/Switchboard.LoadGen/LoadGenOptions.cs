using System.Globalization;

namespace Switchboard.LoadGen;

/// <summary>Command-line options (see <see cref="Usage"/>).</summary>
internal sealed class LoadGenOptions
{
    public const string Usage = """
        Concurrent-call load generator for the Switchboard gateway (Twilio Media Streams in, OpenAI Realtime GA out).

          dotnet run -c Release --project bench/Switchboard.LoadGen -- [options]

          --ramp 50,100,200,500,1000   concurrent calls per step (one value = one step)
          --seconds 20                 length of each step (media at real-time pace)
          --warmup 3                   seconds at the start of each step left out of latency and CPU figures
          --barge-in-every 2           seconds between speech_started per call (0 = off); each call's phase is spread over
                                       the period, as independent callers' turns are
          --aligned-barge-ins          every call barges in within the same 20 ms instead (a burst of N barge-ins at once
                                       each period: the worst case, and the harness before 2026-12-07 13:57 UTC)
          --max-p99-ms 50              stop the ramp when a p99 (inbound, outbound or barge-in) exceeds this
          --max-lag-ms 20              stop the ramp when the load generator's own pacing lag p99 exceeds this
                                       (it could not keep real-time pace: the step measured the load generator)
          --gateway-env NAME=VALUE     extra environment variable for the gateway process (repeatable)
          --fresh-gateway              start a new gateway process (plus warm-up call) for every step, so its idle
                                       RSS is not inflated by the heap the previous step left behind
          --json artifacts/loadgen.json
          --smaps-dir DIR              save the gateway's /proc/<pid>/smaps at rest (after a releasing GC), idle and
                                       with the calls connected, per step
          --latency-trace DIR          per step and relay, a CSV of every measured frame (call, frame, sent ms from the
                                       window's start, inbound ms, outbound ms), to see when and where frames wait
          --gateway-dll <path>         default src/Switchboard.Cli/bin/Release/net10.0/Switchboard.Cli.dll (built if missing)
          --peer                       side by side: every step runs against a fresh gateway and then a fresh Node.js
                                       reference peer (bench/peer-node, npm ci on demand), same calls, cadence and
                                       backend, and prints both rows; implies --fresh-gateway
          --rounds 1                   with --peer: how many times each step alternates gateway / peer
          --peer-env NAME=VALUE        extra environment variable for the peer process (repeatable)
          --channel twilio             twilio: Twilio Media Streams on /twilio (μ-law 8 kHz); session: browser sessions on
                                       /ws/session (voice_conversation, PCM16 24 kHz from the mic, playback reports every
                                       200 ms, playback on interrupt), created through POST /demo/sessions (the demo route
                                       and the session rate limits are opened on the gateway for the run); not with --peer
          --classic-sockets            the load generator's own sockets (callers, echo backend) on ClientWebSocket and
                                       Kestrel's socket transport instead of the gateway's event loop (Linux), as before
                                       2026-12-07 12:00 UTC; the loop leaves the relay more of the shared cores
          --smoke                      CI check: 20 calls for 10 s; exit 0 only if nothing was lost or reordered,
                                       every call connected, every barge-in cleared and both p99 < 200 ms
        """;

    public IReadOnlyList<int> Ramp { get; private set; } = [50, 100, 200, 500, 1000];

    public int Seconds { get; private set; } = 20;

    public int WarmupSeconds { get; private set; } = 3;

    public double BargeInEverySeconds { get; private set; } = 2;

    /// <summary>With <c>--aligned-barge-ins</c>: all calls barge in at once each period.</summary>
    public bool AlignedBargeIns { get; private set; }

    public double MaxP99Ms { get; private set; } = 50;

    public double MaxLagMs { get; private set; } = 20;

    public IReadOnlyDictionary<string, string> GatewayEnvironment => _gatewayEnvironment;

    private readonly Dictionary<string, string> _gatewayEnvironment = new(StringComparer.Ordinal);

    public string JsonPath { get; private set; } = Path.Combine("artifacts", "loadgen.json");

    /// <summary>When set, the gateway's /proc/&lt;pid&gt;/smaps at rest (idle and with the calls connected) is saved here per step.</summary>
    public string? SmapsDirectory { get; private set; }

    /// <summary>With <c>--latency-trace</c>: where each step writes its per-frame latencies.</summary>
    public string? LatencyTraceDirectory { get; private set; }

    public string? GatewayDll { get; private set; }

    public bool Smoke { get; private set; }

    /// <summary>Which caller channel the simulated calls use: <c>twilio</c> or <c>session</c> (<c>--channel</c>).</summary>
    public string Channel { get; private set; } = Twilio;

    public const string Twilio = "twilio";

    public const string Session = "session";

    public bool FreshGateway { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Run every step against the gateway and the Node.js reference peer, alternating (<c>--peer</c>).</summary>
    public bool Peer { get; private set; }

    /// <summary>The load generator's sockets on <c>ClientWebSocket</c> and Kestrel's socket transport, not the event loop.</summary>
    public bool ClassicSockets { get; private set; }

    /// <summary>With <see cref="Peer"/>: gateway/peer alternations per step.</summary>
    public int Rounds { get; private set; } = 1;

    public IReadOnlyDictionary<string, string> PeerEnvironment => _peerEnvironment;

    private readonly Dictionary<string, string> _peerEnvironment = new(StringComparer.Ordinal);

    public static LoadGenOptions Parse(string[] args)
    {
        var options = new LoadGenOptions();
        var explicitSeconds = false;
        var explicitRamp = false;
        var explicitP99 = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--ramp":
                    options.Ramp = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Positive(name, v))];
                    explicitRamp = true;
                    break;
                case "--seconds":
                    options.Seconds = Positive(name, Value());
                    explicitSeconds = true;
                    break;
                case "--warmup":
                    options.WarmupSeconds = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--barge-in-every":
                    options.BargeInEverySeconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--max-p99-ms":
                    options.MaxP99Ms = double.Parse(Value(), CultureInfo.InvariantCulture);
                    explicitP99 = true;
                    break;
                case "--max-lag-ms":
                    options.MaxLagMs = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--gateway-env":
                    AddPair(options._gatewayEnvironment, name, Value());
                    break;
                case "--peer-env":
                    AddPair(options._peerEnvironment, name, Value());
                    break;
                case "--peer":
                    options.Peer = true;
                    options.FreshGateway = true;
                    break;
                case "--rounds":
                    options.Rounds = Positive(name, Value());
                    break;
                case "--smaps-dir":
                    options.SmapsDirectory = Value();
                    break;
                case "--aligned-barge-ins":
                    options.AlignedBargeIns = true;
                    break;
                case "--latency-trace":
                    options.LatencyTraceDirectory = Value();
                    break;
                case "--json":
                    options.JsonPath = Value();
                    break;
                case "--gateway-dll":
                    options.GatewayDll = Value();
                    break;
                case "--classic-sockets":
                    options.ClassicSockets = true;
                    break;
                case "--fresh-gateway":
                    options.FreshGateway = true;
                    break;
                case "--channel":
                    options.Channel = Value() switch
                    {
                        Twilio => Twilio,
                        Session => Session,
                        var other => throw new ArgumentException($"--channel: '{other}' is not twilio or session"),
                    };
                    break;
                case "--smoke":
                    options.Smoke = true;
                    break;
                case "-h" or "--help":
                    options.Help = true;
                    break;
                default:
                    throw new ArgumentException($"unknown option {name}");
            }
        }

        if (options.Smoke)
        {
            options.Ramp = explicitRamp ? options.Ramp : [20];
            options.Seconds = explicitSeconds ? options.Seconds : 10;
            options.MaxP99Ms = explicitP99 ? options.MaxP99Ms : 200;
        }

        if (options.Peer && options.Smoke)
        {
            throw new ArgumentException("--peer and --smoke do not combine: the smoke checks the gateway alone");
        }

        if (options.Peer && options.Channel == Session)
        {
            throw new ArgumentException("--peer and --channel session do not combine: the Node peer speaks Twilio Media Streams only");
        }

        if (options.Channel == Session)
        {
            // Hundreds of sessions from one address in seconds: the keyless demo route on (the echo backend costs nothing)
            // and the per-address limits off for the run; anything given with --gateway-env wins.
            options._gatewayEnvironment.TryAdd("Switchboard__Demo__Enabled", "true");
            options._gatewayEnvironment.TryAdd("Switchboard__RateLimits__DemoPerIp__Enabled", "false");
            options._gatewayEnvironment.TryAdd("Switchboard__RateLimits__SessionSocketsPerIp__Enabled", "false");
        }

        if (options.WarmupSeconds < 0 || options.WarmupSeconds >= options.Seconds)
        {
            throw new ArgumentException("--warmup must be at least 0 and shorter than --seconds");
        }

        if (options.BargeInEverySeconds < 0)
        {
            throw new ArgumentException("--barge-in-every must be 0 (off) or positive");
        }

        return options;
    }

    private static void AddPair(Dictionary<string, string> target, string option, string pair)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ArgumentException($"{option} needs NAME=VALUE");
        }

        target[pair[..eq]] = pair[(eq + 1)..];
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name}: '{value}' is not a positive integer");
}
