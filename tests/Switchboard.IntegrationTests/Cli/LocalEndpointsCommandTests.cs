using System.Text.Json;

namespace Switchboard.IntegrationTests.Cli;

public sealed class LocalEndpointsCommandTests : IDisposable
{
    private readonly LocalCliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Endpoints_CreateListShowUpdateDelete_RoundTrip()
    {
        var created = await _cli.RunAsync(
            "endpoints", "create", "--name", "sales", "--voice", "cedar", "--instructions", "Sell politely.", "--greeting", "Hi, sales here.",
            "--modes", "text,voice_conversation", "--carriers", "twilio", "--phone", "+15551230001", "--backend", "openai", "--model", "gpt-realtime");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("Created endpoint 'sales'", created.Out, StringComparison.Ordinal);

        var list = await _cli.RunAsync("endpoints", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains(" default ", StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" sales ", StringComparison.Ordinal) && l.Contains("openai/gpt-realtime", StringComparison.Ordinal) && l.Contains("+15551230001", StringComparison.Ordinal));
        Assert.Contains("Page 1 of 1 (2 endpoints).", list.Out, StringComparison.Ordinal);

        using (var shown = await ShowAsync("sales"))
        {
            var e = shown.RootElement;
            Assert.Equal("sales", e.GetProperty("name").GetString());
            Assert.False(e.GetProperty("isDefault").GetBoolean());
            Assert.Equal("cedar", e.GetProperty("voice").GetString());
            Assert.Equal("Hi, sales here.", e.GetProperty("greeting").GetString());
            Assert.Equal(["text", "voice_conversation"], e.GetProperty("modes").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal(["+15551230001"], e.GetProperty("phoneNumbers").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal("server_vad", e.GetProperty("turnDetection").GetProperty("type").GetString()); // defaults filled in
            Assert.Equal(3600, e.GetProperty("limits").GetProperty("sessionTtlSeconds").GetInt32());
        }

        // Only the given field changes.
        var updated = await _cli.RunAsync("endpoints", "update", "sales", "--voice", "marin", "--greeting", "");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        using (var shown = await ShowAsync("sales"))
        {
            var e = shown.RootElement;
            Assert.Equal("marin", e.GetProperty("voice").GetString());
            Assert.False(e.TryGetProperty("greeting", out _));
            Assert.Equal("Sell politely.", e.GetProperty("instructions").GetString());
            Assert.Equal(["twilio"], e.GetProperty("carriers").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal("openai", e.GetProperty("backend").GetString());
        }

        var deleted = await _cli.RunAsync("endpoints", "delete", "sales");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var gone = await _cli.RunAsync("endpoints", "show", "sales");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("error: no endpoint 'sales' in team 'default'", gone.Error, StringComparison.Ordinal);
        Assert.Null(await _cli.Store.FindEndpointByPhoneNumberAsync("+15551230001", CancellationToken.None));
    }

    [Fact]
    public async Task EndpointsUpdate_FileFromShow_RoundTripsAndRenames()
    {
        Assert.Equal(0, (await _cli.RunAsync("endpoints", "create", "--name", "support")).ExitCode);
        var show = await _cli.RunAsync("endpoints", "show", "support");
        var file = _cli.WriteConfig("support.json", show.Out.Replace("\"marin\"", "\"ash\"", StringComparison.Ordinal));

        var updated = await _cli.RunAsync("endpoints", "update", "support", "--file", file, "--name", "helpdesk");

        Assert.True(updated.ExitCode == 0, updated.ToString());
        using var shown = await ShowAsync("helpdesk");
        Assert.Equal("ash", shown.RootElement.GetProperty("voice").GetString());
        Assert.Equal(1, (await _cli.RunAsync("endpoints", "show", "support")).ExitCode);
    }

    [Fact]
    public async Task EndpointsCreate_FromFile_TakesTheFileAndTheOptionsOverIt()
    {
        var file = _cli.WriteConfig("spec.json", """
            {
              // comments are allowed
              "name": "from-file",
              "instructions": "From the file.",
              "turnDetection": { "type": "semantic_vad" },
              "tools": [ { "name": "lookup_order", "description": "Find an order", "parameters": { "type": "object" } } ],
              "fallback": { "backend": "azure", "model": "realtime-eu" },
            }
            """);

        var created = await _cli.RunAsync("endpoints", "create", "--file", file, "--voice", "verse", "--json");

        Assert.True(created.ExitCode == 0, created.ToString());
        using var doc = JsonDocument.Parse(created.Out);
        var e = doc.RootElement;
        Assert.Equal("from-file", e.GetProperty("name").GetString());
        Assert.Equal("verse", e.GetProperty("voice").GetString());
        Assert.Equal("semantic_vad", e.GetProperty("turnDetection").GetProperty("type").GetString());
        Assert.Equal(0.5, e.GetProperty("turnDetection").GetProperty("threshold").GetDouble());
        Assert.Equal("lookup_order", e.GetProperty("tools")[0].GetProperty("name").GetString());
        var stored = await _cli.Store.FindEndpointByNameAsync((await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None))!.Id, "from-file", CancellationToken.None);
        Assert.Equal("From the file.", stored!.Spec.Instructions);
        Assert.Equal(new Switchboard.Agents.BackendFallbackSpec { Backend = "azure", Model = "realtime-eu" }, stored.Spec.Fallback);
        Assert.Equal("azure", e.GetProperty("fallback").GetProperty("backend").GetString());
    }

    [Fact]
    public async Task EndpointsCreate_FallbackLikeThePrimary_ExitTwoNamingIt()
    {
        var file = _cli.WriteConfig("same.json", """{ "name": "same", "backend": "openai", "fallback": { "backend": "openai" } }""");

        var run = await _cli.RunAsync("endpoints", "create", "--file", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("fallback must name another backend or another model than the endpoint's own", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsCreate_InvalidFields_ExitTwoWithEveryMessage()
    {
        var run = await _cli.RunAsync("endpoints", "create", "--name", "bad", "--voice", "", "--modes", "text,telepathy", "--phone", "5551234");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: the endpoint has invalid fields", run.Error, StringComparison.Ordinal);
        Assert.Contains("voice is required", run.Error, StringComparison.Ordinal);
        Assert.Contains("unknown mode 'telepathy'", run.Error, StringComparison.Ordinal);
        Assert.Contains("'5551234' is not an E.164 number", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await ListAsync()).GetProperty("pagination").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task EndpointsCreate_UnknownFieldInFile_ExitTwoNamingIt()
    {
        var file = _cli.WriteConfig("typo.json", """{ "name": "typo", "voic": "cedar" }""");

        var run = await _cli.RunAsync("endpoints", "create", "--file", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'voic'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsCreate_WithoutName_OrUpdateWithNothing_AreUsageErrors()
    {
        var create = await _cli.RunAsync("endpoints", "create", "--voice", "cedar");
        var update = await _cli.RunAsync("endpoints", "update", "default");

        Assert.Equal(2, create.ExitCode);
        Assert.Contains("needs --name", create.Error, StringComparison.Ordinal);
        Assert.Equal(2, update.ExitCode);
        Assert.Contains("nothing to change", update.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_DuplicateNameOrPhone_IsAConflict()
    {
        Assert.Equal(0, (await _cli.RunAsync("endpoints", "create", "--name", "a", "--phone", "+15550000001")).ExitCode);

        var sameName = await _cli.RunAsync("endpoints", "create", "--name", "a");
        var samePhone = await _cli.RunAsync("endpoints", "create", "--name", "b", "--phone", "+15550000001");

        Assert.Equal(1, sameName.ExitCode);
        Assert.StartsWith("error: ", sameName.Error, StringComparison.Ordinal);
        Assert.Equal(1, samePhone.ExitCode);
        Assert.Contains("+15550000001", samePhone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_DefaultCannotBeDeleted_UntilAnotherIsMadeDefault()
    {
        var refused = await _cli.RunAsync("endpoints", "delete", "default");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("cannot be deleted", refused.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await _cli.RunAsync("endpoints", "create", "--name", "main", "--default")).ExitCode);
        var deleted = await _cli.RunAsync("endpoints", "delete", "default");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        using var main = await ShowAsync("main");
        Assert.True(main.RootElement.GetProperty("isDefault").GetBoolean());
    }

    [Fact]
    public async Task EndpointsList_Pages_AndRejectsOutOfRangePaging()
    {
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(0, (await _cli.RunAsync("endpoints", "create", "--name", $"e{i}")).ExitCode);
        }

        var page2 = await _cli.RunAsync("endpoints", "list", "--page", "2", "--limit", "2");
        using var json = JsonDocument.Parse((await _cli.RunAsync("endpoints", "list", "--page", "3", "--limit", "2", "--json")).Out);
        var badLimit = await _cli.RunAsync("endpoints", "list", "--limit", "101");
        var badPage = await _cli.RunAsync("endpoints", "list", "--page", "zero");

        // The list is ordered by creation time, then id: endpoints created within the same millisecond keep a stable but
        // id-dependent order, so the expected page is read off the whole list rather than assumed from creation order.
        using var all = JsonDocument.Parse((await _cli.RunAsync("endpoints", "list", "--limit", "100", "--json")).Out);
        var names = all.RootElement.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        Assert.Equal(5, names.Count);
        Assert.Contains("Page 2 of 3 (5 endpoints). Next: --page 3", page2.Out, StringComparison.Ordinal);
        Assert.Contains($" {names[2]} ", page2.Out, StringComparison.Ordinal);
        Assert.Contains($" {names[3]} ", page2.Out, StringComparison.Ordinal);
        Assert.DoesNotContain($" {names[4]} ", page2.Out, StringComparison.Ordinal);
        Assert.Equal(names[4], json.RootElement.GetProperty("endpoints")[0].GetProperty("name").GetString());
        var pagination = json.RootElement.GetProperty("pagination");
        Assert.Equal(5, pagination.GetProperty("total").GetInt32());
        Assert.False(pagination.GetProperty("hasMore").GetBoolean());
        Assert.Single(json.RootElement.GetProperty("endpoints").EnumerateArray());
        Assert.Equal(2, badLimit.ExitCode);
        Assert.Contains("--limit must be 1-100", badLimit.Error, StringComparison.Ordinal);
        Assert.Equal(2, badPage.ExitCode);
    }

    private async Task<JsonDocument> ShowAsync(string name)
    {
        var run = await _cli.RunAsync("endpoints", "show", name);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Out);
    }

    private async Task<JsonElement> ListAsync()
    {
        var run = await _cli.RunAsync("endpoints", "list", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.Out);
        return doc.RootElement.Clone();
    }
}
