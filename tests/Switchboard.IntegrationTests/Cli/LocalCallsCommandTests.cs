using System.Text.Json;

namespace Switchboard.IntegrationTests.Cli;

public sealed class LocalCallsCommandTests : IDisposable
{
    private readonly LocalCliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task CallsShow_PrintsMetadataAndReadableTranscript()
    {
        var team = await DefaultTeamAsync();
        await _cli.Store.AppendEventsAsync(CallEvents.Sample("call-1", team), CancellationToken.None);

        var run = await _cli.RunAsync("calls", "show", "call-1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Call        call-1", run.Out, StringComparison.Ordinal);
        Assert.Contains("twilio (carrier call CAcall-1)", run.Out, StringComparison.Ordinal);
        Assert.Contains("+15550001111 → +15550002222", run.Out, StringComparison.Ordinal);
        Assert.Contains("Started     2025-06-01 14:00:00Z", run.Out, StringComparison.Ordinal);
        Assert.Contains("after 1m 23s (caller_hangup)", run.Out, StringComparison.Ordinal);
        var transcript = run.Out.Split('\n').Where(l => l.StartsWith('[')).ToArray();
        Assert.Equal(
            [
                "[00:00:01] caller: Where is my order?",
                "[00:00:03] agent: Let me check that for you, one moment please. (interrupted, heard 1.2 s)",
                "[00:00:05] caller: It's order 42.",
            ],
            transcript);
    }

    [Fact]
    public async Task CallsShow_Json_HasTheCallTranscriptAndEvents()
    {
        var team = await DefaultTeamAsync();
        await _cli.Store.AppendEventsAsync(CallEvents.Sample("call-1", team), CancellationToken.None);

        var run = await _cli.RunAsync("calls", "show", "call-1", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal("call-1", root.GetProperty("id").GetString());
        Assert.Equal("caller_hangup", root.GetProperty("endReason").GetString());
        Assert.Equal(6, root.GetProperty("eventCount").GetInt32());
        var agent = root.GetProperty("transcript")[1];
        Assert.Equal("agent", agent.GetProperty("role").GetString());
        Assert.True(agent.GetProperty("interrupted").GetBoolean());
        Assert.Equal(1240, agent.GetProperty("heardMs").GetInt32());
        var events = root.GetProperty("events");
        Assert.Equal(6, events.GetArrayLength());
        Assert.Equal("BargeIn", events[3].GetProperty("type").GetString());
    }

    [Fact]
    public async Task CallsList_NewestFirst_OnlyThisTeamsCallsUnlessAllTeams()
    {
        var team = await DefaultTeamAsync();
        await _cli.Store.AppendEventsAsync(CallEvents.Sample("older", team, start: CallEvents.Start), CancellationToken.None);
        await _cli.Store.AppendEventsAsync(CallEvents.Sample("newer", team, start: CallEvents.Start.AddHours(1)), CancellationToken.None);
        await _cli.Store.AppendEventsAsync(CallEvents.Sample("other-team", Guid.NewGuid()), CancellationToken.None);

        var run = await _cli.RunAsync("calls", "list");
        var all = await _cli.RunAsync("calls", "list", "--all-teams", "--json");
        var otherTeamsCall = await _cli.RunAsync("calls", "show", "other-team");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("newer ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("older ", lines[2], StringComparison.Ordinal);
        Assert.Contains("1m 23s", lines[1], StringComparison.Ordinal);
        Assert.Contains("caller_hangup", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("other-team", run.Out, StringComparison.Ordinal);
        Assert.Contains("(2 calls)", run.Out, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(all.Out);
        Assert.Equal(3, doc.RootElement.GetProperty("calls").GetArrayLength());
        Assert.Equal(1, otherTeamsCall.ExitCode);
    }

    [Fact]
    public async Task CallsShow_LiveCallWithoutTurns_SaysSo_AndUnknownCallIsNotFound()
    {
        var team = await DefaultTeamAsync();
        await _cli.Store.AppendEventsAsync([CallEvents.Sample("live", team)[0]], CancellationToken.None);

        var live = await _cli.RunAsync("calls", "show", "live");
        var missing = await _cli.RunAsync("calls", "show", "nope");

        Assert.True(live.ExitCode == 0, live.ToString());
        Assert.Contains("(in progress", live.Out, StringComparison.Ordinal);
        Assert.Contains("(no transcript)", live.Out, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: no call 'nope'", missing.Error, StringComparison.Ordinal);
    }

    private async Task<Guid> DefaultTeamAsync()
    {
        // The first command creates the default team, as on a fresh gateway.
        Assert.Equal(0, (await _cli.RunAsync("calls", "list")).ExitCode);
        return (await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None))!.Id;
    }
}
