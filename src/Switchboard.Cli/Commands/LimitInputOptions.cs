using System.CommandLine;
using System.Text.Json.Nodes;

namespace Switchboard.Cli.Commands;

/// <summary>
/// The limit options of <c>endpoints create|update</c> and <c>teams update</c>, turned into a <c>limits</c> object holding
/// only the fields given. An endpoint has warnings, idle times and a session lifetime besides the caps and budgets it
/// shares with a team; a team has the time zone its days are counted in.
/// </summary>
internal sealed class LimitInputOptions
{
    private readonly List<(Option Option, string Field)> _options = [];

    /// <param name="forEndpoint">An endpoint's options (else a team's).</param>
    public LimitInputOptions(bool forEndpoint)
    {
        var owner = forEndpoint ? "endpoint" : "team";
        Int("--max-call-seconds", "maxCallSeconds", forEndpoint
            ? "Longest call, in seconds (0: the gateway's Bridge:MaxCallSeconds)"
            : "Longest call on any of the team's endpoints, in seconds (0: none from the team)");
        if (forEndpoint)
        {
            Int("--call-warning-seconds", "callWarningSeconds", "How long before the longest call the agent is told to wrap up (0: no warning)");
            Int("--idle-warning-seconds", "idleWarningSeconds", "Silence after which the agent asks whether the caller is still there (0: off)");
            Int("--idle-timeout-seconds", "idleTimeoutSeconds", "Silence after which the agent says goodbye and the call ends idle_timeout (0: off)");
        }

        Int("--max-daily-call-seconds", "maxDailyCallSeconds", $"Call seconds the {owner} may use per day (0: no budget)");
        Number("--max-call-cost-usd", "maxCallCostUsd", "Estimated model cost one call may reach, in US dollars (0: no budget)");
        Number("--max-daily-cost-usd", "maxDailyCostUsd", $"Estimated model cost the {owner} may reach per day, in US dollars (0: no budget)");
        Int("--max-concurrent-calls", "maxConcurrentCalls", $"Calls the {owner} may run at once (0: no cap of its own)");
        if (forEndpoint)
        {
            Int("--session-ttl-seconds", "sessionTtlSeconds", "Lifetime of a session created for this endpoint, in seconds (60-86400)");
        }
        else
        {
            _options.Add((new Option<string?>("--time-zone")
            {
                HelpName = "zone",
                Description = "IANA time zone the team's days are counted in, e.g. Europe/Berlin (\"\": UTC)",
            }, "timeZone"));
        }
    }

    public void AddTo(Command command)
    {
        foreach (var (option, _) in _options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Whether any limit option was given.</summary>
    public bool AnyGiven(ParseResult parse) => _options.Any(o => parse.GetResult(o.Option) is { Implicit: false });

    /// <summary>The given options as <c>limits</c> fields, laid over <paramref name="limits"/>.</summary>
    public void WriteInto(JsonObject limits, ParseResult parse)
    {
        foreach (var (option, field) in _options)
        {
            if (parse.GetResult(option) is not { Implicit: false })
            {
                continue;
            }

            limits[field] = option switch
            {
                Option<int> number => JsonValue.Create(parse.GetValue(number)),
                Option<double> amount => double.IsFinite(parse.GetValue(amount))
                    ? JsonValue.Create(parse.GetValue(amount))
                    : throw Admin.AdminException.Invalid($"{option.Name} must be a number of US dollars"),
                Option<string?> text => string.IsNullOrEmpty(parse.GetValue(text)) ? null : JsonValue.Create(parse.GetValue(text)),
                _ => throw new InvalidOperationException("unknown limit option type"),
            };
        }
    }

    private void Int(string name, string field, string description) =>
        _options.Add((new Option<int>(name) { HelpName = "N", Description = description }, field));

    private void Number(string name, string field, string description) =>
        _options.Add((new Option<double>(name) { HelpName = "USD", Description = description }, field));
}
