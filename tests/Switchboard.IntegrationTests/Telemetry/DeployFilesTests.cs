using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Telemetry;

namespace Switchboard.IntegrationTests.Telemetry;

/// <summary>
/// The operator files in <c>deploy/</c>: the Prometheus alert rules pass <c>promtool check rules</c>, the Grafana dashboard is
/// valid JSON, and every gateway metric either names is one the gateway's meter really exports (under its Prometheus name).
/// </summary>
public sealed partial class DeployFilesTests
{
    private static readonly string Rules = RepoPaths.File("deploy/prometheus/switchboard-alerts.yml");
    private static readonly string Dashboard = RepoPaths.File("deploy/grafana/switchboard-dashboard.json");

    [Fact]
    public async Task AlertRules_PassPromtoolCheckRules()
    {
        var (exit, output) = await Promtool.RunAsync("", "check", "rules", Rules);

        Assert.True(exit == 0, $"promtool check rules exited {exit}:\n{output}");
        Assert.Contains("SUCCESS: 9 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboard_IsGrafanaJson_WithAQueryPerPanel()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var panels = json.RootElement.GetProperty("panels").EnumerateArray().ToList();

        Assert.True(panels.Count >= 12);
        Assert.All(panels, p => Assert.NotEmpty(p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString())));
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
    }

    [Fact]
    public void RulesAndDashboard_NameOnlyMetricsTheGatewayExports()
    {
        var exported = PrometheusNames();
        // Sanity: the conversion knows the gateway's instruments.
        Assert.Contains("switchboard_calls_started_total", exported);
        Assert.Contains("switchboard_gateway_added_latency_seconds", exported);
        Assert.Contains("gen_ai_client_token_usage", exported);

        // Label names look alike (switchboard_channel): they are the attribute keys of TelemetryNames.
        var labels = typeof(TelemetryNames).GetFields().Select(f => ((string)f.GetValue(null)!).Replace('.', '_')).ToHashSet(StringComparer.Ordinal);
        var used = MetricName().Matches(File.ReadAllText(Rules) + File.ReadAllText(Dashboard))
            .Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", ""))
            .Where(n => !labels.Contains(n))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(used.Count >= 15, "names found: " + string.Join(", ", used));
        var unknown = used.Where(n => !exported.Contains(n)).ToList();
        Assert.True(unknown.Count == 0, "not exported by the gateway: " + string.Join(", ", unknown));
    }

    /// <summary>The Prometheus names of the gateway's instruments: dots to underscores, the unit's suffix (s: _seconds), counters' _total.</summary>
    private static HashSet<string> PrometheusNames()
    {
        using var telemetry = new GatewayTelemetry();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, telemetry.Meter))
                {
                    var name = instrument.Name.Replace('.', '_');
                    if (instrument.Unit == "s")
                    {
                        name += "_seconds";
                    }

                    var monotonic = instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Counter<>);
                    names.Add(monotonic ? name + "_total" : name);
                }
            },
        };
        listener.Start();
        return names;
    }

    [GeneratedRegex("""\b(switchboard|gen_ai)_[a-z_]+\b""")]
    private static partial Regex MetricName();
}
