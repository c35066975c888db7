using System.Data.Common;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Storage;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>
/// What every store must do, run against SQLite and PostgreSQL alike (one subclass each). Each test gets a
/// fresh, migrated database; a few open a second store on the same database, as a second gateway node would.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly List<SqlStore> _stores = [];
    private readonly List<string> _databases = [];
    private string _database = "";
    private SqlStore? _store;

    private SqlStore Store => _store ?? throw new InvalidOperationException("not initialised");

    /// <summary>Creates an empty database; returns what <see cref="OpenStore"/> needs to reach it (a file path or a connection string).</summary>
    private protected abstract Task<string> CreateDatabaseAsync();

    /// <summary>A new store instance (own connection pool) on a database.</summary>
    private protected abstract SqlStore OpenStore(string database);

    private protected abstract Task DropDatabaseAsync(string database);

    public async Task InitializeAsync()
    {
        _database = await NewDatabaseAsync();
        _store = Open(_database);
        await _store.MigrateAsync(None);
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }

        foreach (var database in _databases)
        {
            await DropDatabaseAsync(database);
        }
    }

    // ---- schema ----

    [Fact]
    public async Task MigrateAsync_Twice_IsANoOpThatKeepsData()
    {
        var team = await NewTeamAsync("acme");
        await Store.MigrateAsync(None);
        await Open(_database).MigrateAsync(None);

        Assert.Equal(team, await Store.GetTeamAsync(team.Id, None));
        var health = await Store.PingAsync(None);
        Assert.Contains($"schema v{Migrations.For(Switchboard.Storage.Sqlite.SqliteDialect.Instance).Count})", health.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_ConcurrentOnAnEmptyDatabase_AllSucceedAndTheSchemaWorks()
    {
        var database = await NewDatabaseAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => Open(database)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(None))));

        var team = new Team(Guid.NewGuid(), "after-concurrent-migrate", T0);
        await stores[0].CreateTeamAsync(team, None);
        Assert.Equal(team, await stores[3].GetTeamAsync(team.Id, None));
        Assert.Single(await stores[1].ListTeamsAsync(None));
    }

    [Fact]
    public async Task PingAsync_Reachable_IsOkAndNamesTheProvider()
    {
        var health = await Store.PingAsync(None);
        Assert.True(health.Ok, health.Detail);
        Assert.Equal(Store.Provider, health.Provider);
        Assert.StartsWith(Store.Provider, health.Detail, StringComparison.Ordinal);
    }

    // ---- teams ----

    [Fact]
    public async Task CreateTeam_ThenGetFindList_ReturnsItAndNothingForUnknown()
    {
        var b = await NewTeamAsync("beta", T0.AddSeconds(1));
        var a = await NewTeamAsync("alpha", T0);

        Assert.Equal(a, await Store.GetTeamAsync(a.Id, None));
        Assert.Equal(b, await Store.FindTeamByNameAsync("beta", None));
        Assert.Null(await Store.GetTeamAsync(Guid.NewGuid(), None));
        Assert.Null(await Store.FindTeamByNameAsync("gamma", None));
        Assert.Equal([a, b], await Store.ListTeamsAsync(None));
    }

    [Fact]
    public async Task CreateTeam_DuplicateName_ThrowsConflictNamingIt()
    {
        await NewTeamAsync("acme");
        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateTeamAsync(new Team(Guid.NewGuid(), "acme", T0), None));
        Assert.Contains("'acme'", ex.Message, StringComparison.Ordinal);
        Assert.Single(await Store.ListTeamsAsync(None));
    }

    // ---- API keys ----

    [Fact]
    public async Task CreateKey_FindByPrefix_RoundTripsEveryField()
    {
        var team = await NewTeamAsync("acme");
        var (plaintext, key) = await NewKeyAsync(team.Id, "ci", ApiScopes.ReadCalls | ApiScopes.CreateCallToken);

        var found = await Store.FindKeyByPrefixAsync(key.Prefix, None);

        Assert.NotNull(found);
        Assert.Equal((key.Id, key.TeamId, key.Name, key.Prefix, key.Scopes, key.CreatedAt), (found.Id, found.TeamId, found.Name, found.Prefix, found.Scopes, found.CreatedAt));
        Assert.Equal(key.Hash, found.Hash);
        Assert.Null(found.RevokedAt);
        Assert.Null(found.LastUsedAt);
        Assert.True(ApiKeyFormat.Matches(plaintext, found.Hash));
        Assert.Null(await Store.FindKeyByPrefixAsync("sb_zzzzzzzz", None));
    }

    [Fact]
    public async Task CreateKey_DuplicatePrefix_ThrowsConflict()
    {
        var team = await NewTeamAsync("acme");
        var (_, key) = await NewKeyAsync(team.Id, "first", ApiScopes.Admin);
        await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateKeyAsync(key with { Id = Guid.NewGuid(), Name = "second" }, None));
    }

    [Fact]
    public async Task ListKeys_TwoTeams_OnlyTheTeamsInCreationOrder()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var (_, second) = await NewKeyAsync(acme.Id, "second", ApiScopes.ReadCalls, T0.AddSeconds(2));
        var (_, first) = await NewKeyAsync(acme.Id, "first", ApiScopes.Admin, T0.AddSeconds(1));
        await NewKeyAsync(other.Id, "theirs", ApiScopes.Admin);

        var keys = await Store.ListKeysAsync(acme.Id, None);

        Assert.Equal([first.Id, second.Id], keys.Select(k => k.Id));
        Assert.NotNull(await Store.GetKeyAsync(acme.Id, first.Id, None));
        Assert.Null(await Store.GetKeyAsync(other.Id, first.Id, None));
    }

    [Fact]
    public async Task RevokeKey_TwiceThenByAnotherTeam_KeepsTheFirstTimeAndRefusesTheStranger()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var (_, key) = await NewKeyAsync(acme.Id, "ci", ApiScopes.Admin);

        Assert.True(await Store.RevokeKeyAsync(acme.Id, key.Id, T0.AddMinutes(1), None));
        Assert.True(await Store.RevokeKeyAsync(acme.Id, key.Id, T0.AddMinutes(5), None));
        Assert.False(await Store.RevokeKeyAsync(other.Id, key.Id, T0.AddMinutes(9), None));
        Assert.False(await Store.RevokeKeyAsync(acme.Id, Guid.NewGuid(), T0, None));

        var stored = await Store.FindKeyByPrefixAsync(key.Prefix, None);
        Assert.Equal(T0.AddMinutes(1), stored!.RevokedAt);
        Assert.True(stored.IsRevoked);
    }

    [Fact]
    public async Task RevokeKey_OtherTeamFirst_LeavesTheKeyUsable()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var (_, key) = await NewKeyAsync(acme.Id, "ci", ApiScopes.Admin);

        Assert.False(await Store.RevokeKeyAsync(other.Id, key.Id, T0, None));
        Assert.False((await Store.FindKeyByPrefixAsync(key.Prefix, None))!.IsRevoked);
    }

    [Fact]
    public async Task TouchKey_SetsLastUsedAndLatestWins()
    {
        var team = await NewTeamAsync("acme");
        var (_, key) = await NewKeyAsync(team.Id, "ci", ApiScopes.Admin);

        await Store.TouchKeyAsync(key.Id, T0.AddMinutes(3), None);
        await Store.TouchKeyAsync(key.Id, T0.AddMinutes(7), None);

        Assert.Equal(T0.AddMinutes(7), (await Store.FindKeyByPrefixAsync(key.Prefix, None))!.LastUsedAt);
    }

    // ---- endpoints ----

    [Fact]
    public async Task CreateEndpoint_GetFindByIdNameAndNumber_ReturnsItOnlyToItsTeam()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var endpoint = await NewEndpointAsync(acme.Id, "support", numbers: ["+15550001111", "+15550002222"]);

        Assert.Equal(endpoint.Id, (await Store.GetEndpointAsync(acme.Id, endpoint.Id, None))?.Id);
        Assert.Null(await Store.GetEndpointAsync(other.Id, endpoint.Id, None));
        Assert.Equal(endpoint.Id, (await Store.FindEndpointAsync(endpoint.Id, None))?.Id);
        Assert.Equal(endpoint.Id, (await Store.FindEndpointByNameAsync(acme.Id, "support", None))?.Id);
        Assert.Null(await Store.FindEndpointByNameAsync(other.Id, "support", None));
        Assert.Equal(endpoint.Id, (await Store.FindEndpointByPhoneNumberAsync("+15550002222", None))?.Id);
        Assert.Null(await Store.FindEndpointByPhoneNumberAsync("+15550009999", None));
        Assert.Null(await Store.FindEndpointAsync(Guid.NewGuid(), None));

        var stored = (await Store.GetEndpointAsync(acme.Id, endpoint.Id, None))!;
        Assert.Equal((endpoint.TeamId, endpoint.Name, endpoint.IsDefault, endpoint.CreatedAt, endpoint.UpdatedAt),
            (stored.TeamId, stored.Name, stored.IsDefault, stored.CreatedAt, stored.UpdatedAt));
    }

    [Fact]
    public async Task CreateEndpoint_NewDefault_ClearsTheOldOneOfTheSameTeamOnly()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var theirs = await NewEndpointAsync(other.Id, "theirs", isDefault: true);
        var first = await NewEndpointAsync(acme.Id, "first", isDefault: true);
        var second = await NewEndpointAsync(acme.Id, "second", isDefault: true);

        Assert.Equal(second.Id, (await Store.GetDefaultEndpointAsync(acme.Id, None))?.Id);
        Assert.False((await Store.GetEndpointAsync(acme.Id, first.Id, None))!.IsDefault);
        Assert.Equal(theirs.Id, (await Store.GetDefaultEndpointAsync(other.Id, None))?.Id);

        // Making the first one default again through an update moves the flag back.
        Assert.True(await Store.UpdateEndpointAsync(first with { IsDefault = true }, None));
        Assert.Equal(first.Id, (await Store.GetDefaultEndpointAsync(acme.Id, None))?.Id);
        Assert.False((await Store.GetEndpointAsync(acme.Id, second.Id, None))!.IsDefault);
        var page = await Store.ListEndpointsAsync(acme.Id, 0, 10, None);
        Assert.Single(page.Items, e => e.IsDefault);
    }

    [Fact]
    public async Task CreateDefaultEndpointIfNone_TeamHasOne_WritesNothing()
    {
        var acme = await NewTeamAsync("acme");
        var existing = await NewEndpointAsync(acme.Id, "existing", isDefault: true);
        var candidate = Endpoint(acme.Id, "candidate", isDefault: true);

        Assert.False(await Store.CreateDefaultEndpointIfNoneAsync(candidate, None));

        Assert.Equal(existing.Id, (await Store.GetDefaultEndpointAsync(acme.Id, None))?.Id);
        Assert.Null(await Store.FindEndpointAsync(candidate.Id, None));
        Assert.True(await Store.CreateDefaultEndpointIfNoneAsync(Endpoint((await NewTeamAsync("fresh")).Id, "default", isDefault: true), None));
    }

    [Fact]
    public async Task ListEndpoints_Pages_InCreationOrderWithTheTotal()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        await NewEndpointAsync(other.Id, "theirs");
        var created = new List<AgentEndpoint>();
        foreach (var i in new[] { 3, 0, 4, 1, 2 })
        {
            created.Add(await NewEndpointAsync(acme.Id, "ep" + i, at: T0.AddSeconds(i)));
        }

        var expected = created.OrderBy(e => e.CreatedAt).Select(e => e.Name).ToList();
        var first = await Store.ListEndpointsAsync(acme.Id, 0, 2, None);
        var second = await Store.ListEndpointsAsync(acme.Id, 2, 2, None);
        var last = await Store.ListEndpointsAsync(acme.Id, 4, 2, None);
        var beyond = await Store.ListEndpointsAsync(acme.Id, 50, 10, None);

        Assert.Equal(expected[..2], first.Items.Select(e => e.Name));
        Assert.Equal(expected[2..4], second.Items.Select(e => e.Name));
        Assert.Equal(expected[4..], last.Items.Select(e => e.Name));
        Assert.Empty(beyond.Items);
        Assert.All(new[] { first, second, last, beyond }, p => Assert.Equal(5, p.Total));
        Assert.Equal(0, (await Store.ListEndpointsAsync(Guid.NewGuid(), 0, 10, None)).Total);
    }

    [Fact]
    public async Task ListEndpoints_SameCreationTime_OrdersById()
    {
        var acme = await NewTeamAsync("acme");
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await NewEndpointAsync(acme.Id, "same" + i, at: T0)).Id);
        }

        var listed = (await Store.ListEndpointsAsync(acme.Id, 0, 10, None)).Items.Select(e => e.Id).ToList();
        Assert.Equal(ids.OrderBy(id => id.ToString("D"), StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task UpdateEndpoint_ReplacesNameSpecAndNumbers_AndRefusesAnotherTeam()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var endpoint = await NewEndpointAsync(acme.Id, "support", numbers: ["+15550001111"]);
        var changed = endpoint with
        {
            Name = "sales",
            Spec = endpoint.Spec with { Voice = "cedar", PhoneNumbers = ["+15550003333"] },
            UpdatedAt = T0.AddHours(1),
        };

        Assert.False(await Store.UpdateEndpointAsync(changed with { TeamId = other.Id }, None));
        Assert.Equal("support", (await Store.FindEndpointAsync(endpoint.Id, None))!.Name);
        Assert.True(await Store.UpdateEndpointAsync(changed, None));

        var stored = (await Store.GetEndpointAsync(acme.Id, endpoint.Id, None))!;
        Assert.Equal(("sales", "cedar", T0.AddHours(1), endpoint.CreatedAt), (stored.Name, stored.Spec.Voice, stored.UpdatedAt, stored.CreatedAt));
        Assert.Null(await Store.FindEndpointByPhoneNumberAsync("+15550001111", None));
        Assert.Equal(endpoint.Id, (await Store.FindEndpointByPhoneNumberAsync("+15550003333", None))?.Id);
        Assert.Null(await Store.FindEndpointByNameAsync(acme.Id, "support", None));
        Assert.False(await Store.UpdateEndpointAsync(Endpoint(acme.Id, "ghost"), None));
    }

    [Fact]
    public async Task UpdateEndpoint_ToATakenNameOrNumber_ThrowsConflictAndChangesNothing()
    {
        var acme = await NewTeamAsync("acme");
        var first = await NewEndpointAsync(acme.Id, "first", numbers: ["+15550001111"]);
        var second = await NewEndpointAsync(acme.Id, "second", numbers: ["+15550002222"]);

        var byName = await Assert.ThrowsAsync<StoreConflictException>(() => Store.UpdateEndpointAsync(second with { Name = "first" }, None));
        Assert.Contains("'first'", byName.Message, StringComparison.Ordinal);
        var byNumber = await Assert.ThrowsAsync<StoreConflictException>(() =>
            Store.UpdateEndpointAsync(second with { Spec = second.Spec with { PhoneNumbers = ["+15550002222", "+15550001111"] } }, None));
        Assert.Contains("+15550001111", byNumber.Message, StringComparison.Ordinal);

        Assert.Equal(second.Id, (await Store.FindEndpointByPhoneNumberAsync("+15550002222", None))?.Id);
        Assert.Equal(first.Id, (await Store.FindEndpointByPhoneNumberAsync("+15550001111", None))?.Id);
        Assert.Equal("second", (await Store.FindEndpointAsync(second.Id, None))!.Name);
    }

    [Fact]
    public async Task DeleteEndpoint_RemovesItAndFreesItsNumbers_OnlyForItsTeam()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var endpoint = await NewEndpointAsync(acme.Id, "support", numbers: ["+15550001111"]);

        Assert.False(await Store.DeleteEndpointAsync(other.Id, endpoint.Id, None));
        Assert.Equal(endpoint.Id, (await Store.FindEndpointByPhoneNumberAsync("+15550001111", None))?.Id);
        Assert.True(await Store.DeleteEndpointAsync(acme.Id, endpoint.Id, None));
        Assert.False(await Store.DeleteEndpointAsync(acme.Id, endpoint.Id, None));

        Assert.Null(await Store.FindEndpointAsync(endpoint.Id, None));
        Assert.Null(await Store.FindEndpointByPhoneNumberAsync("+15550001111", None));
        var reuse = await NewEndpointAsync(other.Id, "support", numbers: ["+15550001111"]);
        Assert.Equal(reuse.Id, (await Store.FindEndpointByPhoneNumberAsync("+15550001111", None))?.Id);
    }

    [Fact]
    public async Task CreateEndpoint_DuplicateNameInTeam_ThrowsConflictNamingIt_ButAnotherTeamMayUseIt()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        await NewEndpointAsync(acme.Id, "support");

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateEndpointAsync(Endpoint(acme.Id, "support"), None));

        Assert.Contains("'support'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await Store.ListEndpointsAsync(acme.Id, 0, 10, None)).Total);
        await NewEndpointAsync(other.Id, "support");
    }

    [Fact]
    public async Task CreateEndpoint_PhoneNumberOfAnotherTeamsEndpoint_ThrowsConflictAndWritesNothing()
    {
        var acme = await NewTeamAsync("acme");
        var other = await NewTeamAsync("other");
        var owner = await NewEndpointAsync(acme.Id, "support", numbers: ["+15550001111"]);
        var second = Endpoint(other.Id, "sales", isDefault: true, numbers: ["+15550004444", "+15550001111"]);

        var ex = await Assert.ThrowsAsync<StoreConflictException>(() => Store.CreateEndpointAsync(second, None));

        Assert.Contains("+15550001111", ex.Message, StringComparison.Ordinal);
        Assert.Null(await Store.FindEndpointAsync(second.Id, None));
        Assert.Null(await Store.FindEndpointByPhoneNumberAsync("+15550004444", None));
        Assert.Equal(owner.Id, (await Store.FindEndpointByPhoneNumberAsync("+15550001111", None))?.Id);
    }

    [Fact]
    public async Task CreateEndpoint_UnknownTeam_FailsButIsNoConflict()
    {
        var ex = await Assert.ThrowsAnyAsync<DbException>(() => Store.CreateEndpointAsync(Endpoint(Guid.NewGuid(), "orphan"), None));
        Assert.IsNotType<StoreConflictException>(ex);
    }

    [Fact]
    public async Task Endpoint_RichSpec_RoundTripsThroughStorage()
    {
        var acme = await NewTeamAsync("acme");
        var spec = RichSpec();
        var endpoint = await NewEndpointAsync(acme.Id, "rich", spec: spec);

        var stored = (await Store.GetEndpointAsync(acme.Id, endpoint.Id, None))!.Spec;

        Assert.Equal(AgentSpecJson.Serialize(spec), AgentSpecJson.Serialize(stored));
        var tool = Assert.Single(stored.Tools);
        Assert.Equal("lookup_order", tool.Name);
        Assert.Equal("string", tool.Parameters!.Value.GetProperty("properties").GetProperty("orderId").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Array, tool.Parameters.Value.GetProperty("required").ValueKind);
        Assert.Equal(["billing", "support"], stored.Flows.Select(f => f.Name));
        Assert.Equal("Hello from billing.", stored.Flows[0].Greeting);
        Assert.Equal("show_message", Assert.Single(stored.BrowserActions).Name);
        Assert.Equal(0.7, stored.TurnDetection.Threshold);
        Assert.Equal(("semantic_vad", 250, 800), (stored.TurnDetection.Type, stored.TurnDetection.PrefixPaddingMs, stored.TurnDetection.SilenceDurationMs));
        Assert.Equal((600, 120), (stored.Limits.MaxCallSeconds, stored.Limits.SessionTtlSeconds));
        Assert.Null(stored.Transcription.Model);
        Assert.Equal("de", stored.Transcription.Language);
        Assert.Equal([Transports.Twilio], stored.Carriers);
        Assert.Equal([InteractionModes.Text, InteractionModes.BrowserActions], stored.Modes);
        Assert.Equal(["+15550007777"], stored.PhoneNumbers);
        Assert.Equal(("openai", "gpt-realtime", "Welcome! \u00e4\u00f6\u00fc \U0001F600 'quotes' \"double\""), (stored.Backend, stored.Model, stored.Greeting));
    }

    // ---- calls ----

    [Fact]
    public async Task AppendEvents_CallStarted_CreatesTheCallRowFromItsData()
    {
        var team = Guid.NewGuid();
        var endpoint = Guid.NewGuid();
        await Store.AppendEventsAsync([Started("call-1", T0, team, endpoint)], None);

        var call = await Store.GetCallAsync(null, "call-1", None);

        Assert.NotNull(call);
        Assert.Equal((team, endpoint, "twilio", "CA-call-1", "+15551230000", "+15559870000", T0), (call.TeamId, call.EndpointId, call.Channel, call.CarrierCallId, call.From, call.To, call.StartedAt));
        Assert.Null(call.EndedAt);
        Assert.Null(call.EndReason);
        Assert.Equal(1, call.EventCount);
    }

    [Fact]
    public async Task AppendEvents_CallStartedWithoutData_StillCreatesARow()
    {
        await Store.AppendEventsAsync([new CallEvent { CallId = "bare", Sequence = 0, At = T0, Type = CallEventType.CallStarted }], None);
        var call = (await Store.GetCallAsync(null, "bare", None))!;
        Assert.Equal(("unknown", (Guid?)null, (string?)null), (call.Channel, call.TeamId, call.From));
    }

    [Fact]
    public async Task AppendEvents_CallEndedInALaterBatch_ClosesTheCallAndCountsEveryEvent()
    {
        await Store.AppendEventsAsync([Started("call-1", T0), Turn("call-1", 1, CallEventType.CallerTurn, "hello")], None);
        await Store.AppendEventsAsync([Turn("call-1", 2, CallEventType.AgentTurn, "hi"), Ended("call-1", 3, T0.AddSeconds(42))], None);

        var call = (await Store.GetCallAsync(null, "call-1", None))!;

        Assert.Equal((T0.AddSeconds(42), CallEndReason.CallerHangup, 4L), (call.EndedAt, call.EndReason, call.EventCount));
    }

    [Fact]
    public async Task AppendEvents_DuplicateSequence_IsANoOp()
    {
        var batch = new[] { Started("call-1", T0), Turn("call-1", 1, CallEventType.CallerTurn, "original") };
        await Store.AppendEventsAsync(batch, None);

        // A retried batch, overlapping and with a changed body for an already stored sequence.
        await Store.AppendEventsAsync([.. batch, Turn("call-1", 1, CallEventType.CallerTurn, "changed"), Ended("call-1", 2, T0.AddSeconds(5))], None);
        await Store.AppendEventsAsync([Ended("call-1", 2, T0.AddSeconds(5))], None);

        var events = await Store.ReadEventsAsync("call-1", None);
        Assert.Equal([0L, 1L, 2L], events.Select(e => e.Sequence));
        Assert.Equal("original", events[1].Text);
        Assert.Equal(3, (await Store.GetCallAsync(null, "call-1", None))!.EventCount);
    }

    [Fact]
    public async Task ReadEvents_AppendedOutOfOrderAcrossCalls_ComeBackInSequenceWithEveryField()
    {
        var agent = new CallEvent
        {
            CallId = "call-1",
            Sequence = 2,
            At = T0.AddMilliseconds(1234),
            Type = CallEventType.AgentTurn,
            Role = "agent",
            Text = "Sure \u2014 one moment.",
            ItemId = "item_7",
            Interrupted = true,
            HeardMs = 640,
            GeneratedMs = 1800,
            Detail = "detail",
            Data = new Dictionary<string, string> { ["k"] = "v" },
        };
        await Store.AppendEventsAsync([agent, Started("call-2", T0), Started("call-1", T0), Turn("call-1", 1, CallEventType.CallerTurn, "hi")], None);

        var events = await Store.ReadEventsAsync("call-1", None);

        Assert.Equal([0L, 1L, 2L], events.Select(e => e.Sequence));
        var read = events[2];
        Assert.Equal((agent.CallId, agent.At, agent.Type, agent.Role, agent.Text, agent.ItemId, agent.Interrupted, agent.HeardMs, agent.GeneratedMs, agent.Detail),
            (read.CallId, read.At, read.Type, read.Role, read.Text, read.ItemId, read.Interrupted, read.HeardMs, read.GeneratedMs, read.Detail));
        Assert.Equal("v", read.Data!["k"]);
        Assert.Single(await Store.ReadEventsAsync("call-2", None));
        Assert.Empty(await Store.ReadEventsAsync("nope", None));
    }

    [Fact]
    public async Task AppendEvents_HostileCarrierText_IsStoredOnBothProviders()
    {
        // Carrier start messages are caller-controlled JSON: NUL and lone surrogates are valid JSON escapes,
        // but PostgreSQL text cannot hold NUL and Npgsql refuses invalid UTF-16.
        const string hostile = "CA\u0000x\ud800y";
        var started = new CallEvent
        {
            CallId = "hostile",
            Sequence = 0,
            At = T0,
            Type = CallEventType.CallStarted,
            Text = hostile,
            Data = new Dictionary<string, string> { [CallEventKeys.Carrier] = "twilio", [CallEventKeys.CarrierCallId] = hostile, [CallEventKeys.From] = hostile },
        };

        await Store.AppendEventsAsync([started, Turn("hostile", 1, CallEventType.CallerTurn, hostile)], None);

        var call = (await Store.GetCallAsync(null, "hostile", None))!;
        Assert.Equal("CA\uFFFDx\uFFFDy", call.CarrierCallId);
        Assert.Equal(call.CarrierCallId, call.From);
        // The event bodies are JSON: NUL survives escaped; the serializer itself replaces an unpaired surrogate.
        var events = await Store.ReadEventsAsync("hostile", None);
        Assert.Equal("CA\u0000x\uFFFDy", events[0].Data![CallEventKeys.CarrierCallId]);
        Assert.Equal("CA\u0000x\uFFFDy", events[1].Text);
    }

    [Fact]
    public async Task GetCall_WithTeam_OnlyThatTeamsCall()
    {
        var acme = Guid.NewGuid();
        await Store.AppendEventsAsync([Started("call-1", T0, acme)], None);

        Assert.NotNull(await Store.GetCallAsync(acme, "call-1", None));
        Assert.Null(await Store.GetCallAsync(Guid.NewGuid(), "call-1", None));
        Assert.Null(await Store.GetCallAsync(null, "call-2", None));
    }

    [Fact]
    public async Task ListCalls_NewestFirst_FilteredByTeam_Paged()
    {
        var acme = Guid.NewGuid();
        var other = Guid.NewGuid();
        var events = new List<CallEvent>();
        for (var i = 0; i < 5; i++)
        {
            events.Add(Started("acme-" + i, T0.AddMinutes(i), acme));
        }

        events.Add(Started("other-0", T0.AddMinutes(10), other));
        await Store.AppendEventsAsync(events, None);

        var all = await Store.ListCallsAsync(null, 0, 100, None);
        var page1 = await Store.ListCallsAsync(acme, 0, 2, None);
        var page3 = await Store.ListCallsAsync(acme, 4, 2, None);
        var beyond = await Store.ListCallsAsync(acme, 9, 2, None);

        Assert.Equal(6, all.Total);
        Assert.Equal("other-0", all.Items[0].Id);
        Assert.Equal(["acme-4", "acme-3"], page1.Items.Select(c => c.Id));
        Assert.Equal(["acme-0"], page3.Items.Select(c => c.Id));
        Assert.Empty(beyond.Items);
        Assert.All(new[] { page1, page3, beyond }, p => Assert.Equal(5, p.Total));
    }

    // ---- sessions and settings ----

    [Fact]
    public async Task CreateSession_ThenGet_RoundTrips()
    {
        var acme = await NewTeamAsync("acme");
        var endpoint = await NewEndpointAsync(acme.Id, "web");
        var session = new SessionRecord { Id = Guid.NewGuid(), TeamId = acme.Id, EndpointId = endpoint.Id, Mode = InteractionModes.Text, Flow = "billing", CreatedAt = T0, ExpiresAt = T0.AddHours(1) };
        var noFlow = session with { Id = Guid.NewGuid(), Flow = null };

        await Store.CreateSessionAsync(session, None);
        await Store.CreateSessionAsync(noFlow, None);

        Assert.Equal(session, await Store.GetSessionAsync(session.Id, None));
        Assert.Equal(noFlow, await Store.GetSessionAsync(noFlow.Id, None));
        Assert.Null(await Store.GetSessionAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Settings_GetSetAndSetIfAbsent_FirstWriterWins()
    {
        Assert.Null(await Store.GetSettingAsync("color", None));
        Assert.Equal("blue", await Store.SetSettingIfAbsentAsync("color", "blue", None));
        Assert.Equal("blue", await Store.SetSettingIfAbsentAsync("color", "red", None));
        await Store.SetSettingAsync("color", "green", None);
        Assert.Equal("green", await Store.GetSettingAsync("color", None));
        await Store.SetSettingAsync("size", "", None);
        Assert.Equal("", await Store.GetSettingAsync("size", None));
    }

    [Fact]
    public async Task SetSettingIfAbsent_ConcurrentWriters_AllSeeTheSameWinner()
    {
        var other = Open(_database);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => (i % 2 == 0 ? Store : other).SetSettingIfAbsentAsync("leader", "node-" + i, None))));
        Assert.Single(results.Distinct());
        Assert.Equal(results[0], await Store.GetSettingAsync("leader", None));
    }

    // ---- first-run bootstrap ----

    [Fact]
    public async Task Bootstrap_FirstRun_CreatesTheDefaultTeamAndEndpointFromTheOptions()
    {
        var options = new AgentOptions { Voice = "cedar", Greeting = "Hello!", Instructions = "Be brief." };

        var result = await ControlPlaneBootstrap.RunAsync(Store, options, TimeProvider.System, None);

        Assert.True(result.CreatedTeam);
        Assert.Equal(ControlPlaneBootstrap.DefaultTeamName, result.DefaultTeam.Name);
        Assert.Equal(result.DefaultTeam, Assert.Single(await Store.ListTeamsAsync(None)));
        var endpoint = (await Store.GetDefaultEndpointAsync(result.DefaultTeam.Id, None))!;
        Assert.Equal((result.DefaultEndpoint.Id, ControlPlaneBootstrap.DefaultEndpointName, true), (endpoint.Id, endpoint.Name, endpoint.IsDefault));
        Assert.Equal(("cedar", "Hello!", "Be brief."), (endpoint.Spec.Voice, endpoint.Spec.Greeting, endpoint.Spec.Instructions));
    }

    [Fact]
    public async Task Bootstrap_Twice_IsIdempotent()
    {
        var first = await ControlPlaneBootstrap.RunAsync(Store, new AgentOptions(), TimeProvider.System, None);
        var second = await ControlPlaneBootstrap.RunAsync(Open(_database), new AgentOptions(), TimeProvider.System, None);

        Assert.False(second.CreatedTeam);
        Assert.Equal(first.DefaultTeam, second.DefaultTeam);
        Assert.Equal(first.DefaultEndpoint.Id, second.DefaultEndpoint.Id);
        Assert.Equal(first.DefaultEndpoint.UpdatedAt, (await Store.FindEndpointAsync(first.DefaultEndpoint.Id, None))!.UpdatedAt);
        Assert.Single(await Store.ListTeamsAsync(None));
        Assert.Equal(1, (await Store.ListEndpointsAsync(first.DefaultTeam.Id, 0, 10, None)).Total);
    }

    [Fact]
    public async Task Bootstrap_ConcurrentNodesOnAnEmptyDatabase_OneTeamOneDefaultEndpoint()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
        {
            var node = Open(_database);
            return Task.Run(() => ControlPlaneBootstrap.RunAsync(node, new AgentOptions(), TimeProvider.System, None));
        }));

        var team = Assert.Single(await Store.ListTeamsAsync(None));
        var endpoints = await Store.ListEndpointsAsync(team.Id, 0, 10, None);
        var endpoint = Assert.Single(endpoints.Items);
        Assert.True(endpoint.IsDefault);
        Assert.All(results, r => Assert.Equal((team.Id, endpoint.Id), (r.DefaultTeam.Id, r.DefaultEndpoint.Id)));
        Assert.Single(results, r => r.CreatedTeam);
    }

    [Fact]
    public async Task Bootstrap_OptionsChanged_UneditedDefaultEndpointFollowsThem()
    {
        var first = await ControlPlaneBootstrap.RunAsync(Store, new AgentOptions { Voice = "marin" }, TimeProvider.System, None);

        var second = await ControlPlaneBootstrap.RunAsync(Store, new AgentOptions { Voice = "cedar", TranscriptionModel = null }, TimeProvider.System, None);
        var third = await ControlPlaneBootstrap.RunAsync(Store, new AgentOptions { Voice = "verse", TranscriptionModel = null }, TimeProvider.System, None);

        Assert.Equal(first.DefaultEndpoint.Id, third.DefaultEndpoint.Id);
        var stored = (await Store.FindEndpointAsync(first.DefaultEndpoint.Id, None))!;
        Assert.Equal("cedar", second.DefaultEndpoint.Spec.Voice);
        Assert.Equal("verse", stored.Spec.Voice);
        Assert.Null(stored.Spec.Transcription.Model);
    }

    [Fact]
    public async Task Bootstrap_OptionsChangedAfterAnEdit_StoredVersionIsKept()
    {
        var first = await ControlPlaneBootstrap.RunAsync(Store, new AgentOptions { Voice = "marin" }, TimeProvider.System, None);
        var edited = first.DefaultEndpoint with { Spec = first.DefaultEndpoint.Spec with { Instructions = "Edited through the API." }, UpdatedAt = T0 };
        Assert.True(await Store.UpdateEndpointAsync(edited, None));

        var second = await ControlPlaneBootstrap.RunAsync(Store, new AgentOptions { Voice = "cedar" }, TimeProvider.System, None);

        var stored = (await Store.FindEndpointAsync(first.DefaultEndpoint.Id, None))!;
        Assert.Equal(("marin", "Edited through the API.", T0), (stored.Spec.Voice, stored.Spec.Instructions, stored.UpdatedAt));
        Assert.Equal("marin", second.DefaultEndpoint.Spec.Voice);
    }

    [Fact]
    public async Task Bootstrap_DefaultNameTakenByAnotherEndpoint_CreatesTheDefaultUnderAFreeName()
    {
        var team = await NewTeamAsync(ControlPlaneBootstrap.DefaultTeamName);
        await NewEndpointAsync(team.Id, ControlPlaneBootstrap.DefaultEndpointName);

        var result = await ControlPlaneBootstrap.RunAsync(Store, new AgentOptions(), TimeProvider.System, None);

        Assert.Equal(team.Id, result.DefaultTeam.Id);
        Assert.False(result.CreatedTeam);
        Assert.Equal(ControlPlaneBootstrap.DefaultEndpointName + "-2", result.DefaultEndpoint.Name);
        Assert.Equal(result.DefaultEndpoint.Id, (await Store.GetDefaultEndpointAsync(team.Id, None))?.Id);
    }

    // ---- helpers ----

    private async Task<string> NewDatabaseAsync()
    {
        var database = await CreateDatabaseAsync();
        _databases.Add(database);
        return database;
    }

    private SqlStore Open(string database)
    {
        var store = OpenStore(database);
        _stores.Add(store);
        return store;
    }

    private async Task<Team> NewTeamAsync(string name, DateTimeOffset? at = null)
    {
        var team = new Team(Guid.NewGuid(), name, at ?? T0);
        await Store.CreateTeamAsync(team, None);
        return team;
    }

    private async Task<(string Plaintext, ApiKeyRecord Record)> NewKeyAsync(Guid teamId, string name, ApiScopes scopes, DateTimeOffset? at = null)
    {
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
        var key = new ApiKeyRecord { Id = Guid.NewGuid(), TeamId = teamId, Name = name, Prefix = prefix, Hash = hash, Scopes = scopes, CreatedAt = at ?? T0 };
        await Store.CreateKeyAsync(key, None);
        return (plaintext, key);
    }

    private static AgentEndpoint Endpoint(Guid teamId, string name, bool isDefault = false, string[]? numbers = null, DateTimeOffset? at = null, AgentSpec? spec = null) => new()
    {
        Id = Guid.NewGuid(),
        TeamId = teamId,
        Name = name,
        IsDefault = isDefault,
        Spec = (spec ?? new AgentSpec()) with { PhoneNumbers = (IReadOnlyList<string>?)numbers ?? spec?.PhoneNumbers ?? [] },
        CreatedAt = at ?? T0,
        UpdatedAt = at ?? T0,
    };

    private async Task<AgentEndpoint> NewEndpointAsync(Guid teamId, string name, bool isDefault = false, string[]? numbers = null, DateTimeOffset? at = null, AgentSpec? spec = null)
    {
        var endpoint = Endpoint(teamId, name, isDefault, numbers, at, spec);
        await Store.CreateEndpointAsync(endpoint, None);
        return endpoint;
    }

    private static AgentSpec RichSpec()
    {
        using var schema = JsonDocument.Parse("""
            {"type":"object","properties":{"orderId":{"type":"string","description":"Order number"},"urgent":{"type":"boolean"}},"required":["orderId"],"additionalProperties":false}
            """);
        using var actionSchema = JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}}}""");
        return new AgentSpec
        {
            Backend = "openai",
            Model = "gpt-realtime",
            Voice = "cedar",
            Instructions = "Line one.\nLine two with \"quotes\" and a tab\t.",
            Greeting = "Welcome! \u00e4\u00f6\u00fc \U0001F600 'quotes' \"double\"",
            AudioFormat = "pcmu",
            TurnDetection = new TurnDetectionSpec { Type = "semantic_vad", Threshold = 0.7, PrefixPaddingMs = 250, SilenceDurationMs = 800 },
            Transcription = new TranscriptionSpec { Model = null, Language = "de" },
            Limits = new LimitsSpec { MaxCallSeconds = 600, SessionTtlSeconds = 120 },
            Tools = [new ToolSpec { Name = "lookup_order", Description = "Finds an order", Parameters = schema.RootElement.Clone() }],
            Carriers = [Transports.Twilio],
            Modes = [InteractionModes.Text, InteractionModes.BrowserActions],
            PhoneNumbers = ["+15550007777"],
            BrowserActions = [new BrowserActionSpec { Name = "show_message", Description = "Shows text", Parameters = actionSchema.RootElement.Clone() }],
            Flows =
            [
                new FlowSpec { Name = "billing", Description = "Billing questions", Greeting = "Hello from billing.", Instructions = "Talk about invoices." },
                new FlowSpec { Name = "support" },
            ],
        };
    }

    private static CallEvent Started(string callId, DateTimeOffset at, Guid? team = null, Guid? endpoint = null)
    {
        var data = new Dictionary<string, string>
        {
            [CallEventKeys.Carrier] = "twilio",
            [CallEventKeys.CarrierCallId] = "CA-" + callId,
            [CallEventKeys.From] = "+15551230000",
            [CallEventKeys.To] = "+15559870000",
        };
        if (team is { } t)
        {
            data[CallEventKeys.TeamId] = t.ToString("D");
        }

        if (endpoint is { } e)
        {
            data[CallEventKeys.EndpointId] = e.ToString("D");
        }

        return new CallEvent { CallId = callId, Sequence = 0, At = at, Type = CallEventType.CallStarted, Data = data };
    }

    private static CallEvent Turn(string callId, long seq, CallEventType type, string text) =>
        new() { CallId = callId, Sequence = seq, At = T0.AddSeconds(seq), Type = type, Role = type == CallEventType.AgentTurn ? "agent" : "caller", Text = text };

    private static CallEvent Ended(string callId, long seq, DateTimeOffset at) =>
        new() { CallId = callId, Sequence = seq, At = at, Type = CallEventType.CallEnded, Reason = CallEndReason.CallerHangup };
}
