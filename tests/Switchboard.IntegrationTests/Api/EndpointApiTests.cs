using System.Net;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Control;

namespace Switchboard.IntegrationTests.Api;

/// <summary><c>/api/v1/endpoints</c>: create, read, replace, patch, delete, validation and conflicts.</summary>
public class EndpointApiTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public EndpointApiTests(ApiGateway api) => _api = api;

    private static string Unique(string name) => name + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Limits_EveryField_RoundTripsThroughCreatePatchAndGet_AndIsValidated()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        var id = await ApiGateway.CreateEndpointAsync(http, $$"""
            { "name": "{{Unique("limited")}}", "limits": { "maxCallSeconds": 900, "callWarningSeconds": 60, "idleWarningSeconds": 20, "idleTimeoutSeconds": 45,
              "maxDailyCallSeconds": 7200, "maxCallCostUsd": 0.75, "maxDailyCostUsd": 25, "maxConcurrentCalls": 4 } }
            """);

        using (var patched = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json("""{ "limits": { "maxConcurrentCalls": 2, "idleTimeoutSeconds": 0 } }""")))
        {
            // A PATCH replaces limits whole: what it leaves out goes back to its default (null: the gateway's).
            var limits = (await ApiGateway.ReadJsonAsync(patched, HttpStatusCode.OK)).GetProperty("limits");
            Assert.Equal(2, limits.GetProperty("maxConcurrentCalls").GetInt32());
            Assert.Equal(0, limits.GetProperty("idleTimeoutSeconds").GetInt32());
            Assert.Equal(JsonValueKind.Null, limits.GetProperty("callWarningSeconds").ValueKind);
            Assert.Equal(0, limits.GetProperty("maxDailyCostUsd").GetDouble());
        }

        using (var put = await http.PutAsync($"/api/v1/endpoints/{id}", ApiGateway.Json($$"""
            { "name": "{{Unique("limited")}}", "limits": { "callWarningSeconds": 30, "maxDailyCallSeconds": 600, "maxCallCostUsd": 1.5, "maxDailyCostUsd": 9.99 } }
            """)))
        {
            await ApiGateway.ReadJsonAsync(put, HttpStatusCode.OK);
        }

        using (var get = await http.GetAsync($"/api/v1/endpoints/{id}"))
        {
            var limits = (await ApiGateway.ReadJsonAsync(get, HttpStatusCode.OK)).GetProperty("limits");
            Assert.Equal(30, limits.GetProperty("callWarningSeconds").GetInt32());
            Assert.Equal(600, limits.GetProperty("maxDailyCallSeconds").GetInt32());
            Assert.Equal(1.5, limits.GetProperty("maxCallCostUsd").GetDouble());
            Assert.Equal(9.99, limits.GetProperty("maxDailyCostUsd").GetDouble());
        }

        using var invalid = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json(
            """{ "limits": { "idleWarningSeconds": 60, "idleTimeoutSeconds": 30, "maxConcurrentCalls": -1, "maxCallCostUsd": -2 } }"""));
        var errors = (await ApiGateway.ReadProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["limits.idleWarningSeconds", "limits.maxCallCostUsd", "limits.maxConcurrentCalls"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("limits.idleWarningSeconds must be shorter than idleTimeoutSeconds", errors.GetProperty("limits.idleWarningSeconds")[0].GetString());
    }

    [Fact]
    public async Task Crud_RoundTrip_CreateGetPutPatchDelete()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        var name = Unique("sales");

        // Create: given fields kept, the rest defaulted (also inside a partly given section).
        using var created = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json($$"""
            {
              "name": "{{name}}",
              "voice": "cedar",
              "greeting": "Hello, sales here.",
              "turnDetection": { "type": "semantic_vad" },
              "tools": [ { "name": "lookup_order", "description": "Find an order", "parameters": { "type": "object", "properties": { "id": { "type": "string" } } } } ],
              "flows": [ { "name": "billing", "description": "Billing questions", "greeting": "Billing, hello." } ]
            }
            """));
        var endpoint = await ApiGateway.ReadJsonAsync(created, HttpStatusCode.Created);
        var id = endpoint.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/endpoints/{id}", created.Headers.Location?.ToString());
        Assert.Equal(name, endpoint.GetProperty("name").GetString());
        Assert.False(endpoint.GetProperty("isDefault").GetBoolean());
        Assert.Equal("cedar", endpoint.GetProperty("voice").GetString());
        Assert.Equal("default", endpoint.GetProperty("backend").GetString());
        Assert.Equal(new AgentSpec().Instructions, endpoint.GetProperty("instructions").GetString());
        Assert.Equal("semantic_vad", endpoint.GetProperty("turnDetection").GetProperty("type").GetString());
        Assert.Equal(0.5, endpoint.GetProperty("turnDetection").GetProperty("threshold").GetDouble());
        Assert.Equal(3600, endpoint.GetProperty("limits").GetProperty("sessionTtlSeconds").GetInt32());
        Assert.Equal(Transports.All, endpoint.GetProperty("carriers").EnumerateArray().Select(c => c.GetString()!).ToArray());
        Assert.Equal("string", endpoint.GetProperty("tools")[0].GetProperty("parameters").GetProperty("properties").GetProperty("id").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, endpoint.GetProperty("model").ValueKind);

        // Read back: the same object.
        using (var fetched = await http.GetAsync($"/api/v1/endpoints/{id}"))
        {
            Assert.Equal(endpoint.ToString(), (await ApiGateway.ReadJsonAsync(fetched, HttpStatusCode.OK)).ToString());
        }

        // Replace: fields left out go back to their defaults.
        using (var put = await http.PutAsync($"/api/v1/endpoints/{id}", ApiGateway.Json($$"""{ "name": "{{name}}", "instructions": "Be brief." }""")))
        {
            var replaced = await ApiGateway.ReadJsonAsync(put, HttpStatusCode.OK);
            Assert.Equal("Be brief.", replaced.GetProperty("instructions").GetString());
            Assert.Equal("marin", replaced.GetProperty("voice").GetString());
            Assert.Equal(JsonValueKind.Null, replaced.GetProperty("greeting").ValueKind);
            Assert.Equal(0, replaced.GetProperty("tools").GetArrayLength());
            Assert.Equal("server_vad", replaced.GetProperty("turnDetection").GetProperty("type").GetString());
            Assert.Equal(endpoint.GetProperty("createdAt").GetDateTimeOffset(), replaced.GetProperty("createdAt").GetDateTimeOffset());
            Assert.True(replaced.GetProperty("updatedAt").GetDateTimeOffset() >= endpoint.GetProperty("updatedAt").GetDateTimeOffset());
        }

        // Patch: only the fields present change; a section given is replaced whole.
        using (var patch = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json("""
            { "voice": "verse", "limits": { "maxCallSeconds": 600 }, "carriers": ["websocket"], "greeting": "Hi!" }
            """)))
        {
            var patched = await ApiGateway.ReadJsonAsync(patch, HttpStatusCode.OK);
            Assert.Equal("verse", patched.GetProperty("voice").GetString());
            Assert.Equal("Be brief.", patched.GetProperty("instructions").GetString());
            Assert.Equal(name, patched.GetProperty("name").GetString());
            Assert.Equal(600, patched.GetProperty("limits").GetProperty("maxCallSeconds").GetInt32());
            Assert.Equal(3600, patched.GetProperty("limits").GetProperty("sessionTtlSeconds").GetInt32());
            Assert.Equal(["websocket"], patched.GetProperty("carriers").EnumerateArray().Select(c => c.GetString()!).ToArray());
            Assert.Equal("Hi!", patched.GetProperty("greeting").GetString());
        }

        // Patch null clears a nullable field; rename.
        var renamed = Unique("renamed");
        using (var patch = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json($$"""{ "greeting": null, "name": "{{renamed}}" }""")))
        {
            var patched = await ApiGateway.ReadJsonAsync(patch, HttpStatusCode.OK);
            Assert.Equal(JsonValueKind.Null, patched.GetProperty("greeting").ValueKind);
            Assert.Equal(renamed, patched.GetProperty("name").GetString());
            Assert.Equal("verse", patched.GetProperty("voice").GetString());
        }

        // Stored, not just echoed.
        var stored = await _api.Gateway.Store.GetEndpointAsync(_api.DefaultTeamId, id, CancellationToken.None);
        Assert.Equal(("verse", 600, renamed), (stored!.Spec.Voice, stored.Spec.Limits.MaxCallSeconds, stored.Name));

        // Delete: gone at once, for every route that reads it.
        using (var delete = await http.DeleteAsync($"/api/v1/endpoints/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var gone = await http.GetAsync($"/api/v1/endpoints/{id}"))
        {
            await ApiGateway.ReadProblemAsync(gone, HttpStatusCode.NotFound);
        }

        using var runtime = _api.Client(await _api.CreateKeyAsync(ApiScopes.CreateCallToken));
        using (var goneRuntime = await runtime.GetAsync($"/api/v1/runtime?endpointId={id}"))
        {
            await ApiGateway.ReadProblemAsync(goneRuntime, HttpStatusCode.NotFound);
        }

        using var again = await http.DeleteAsync($"/api/v1/endpoints/{id}");
        await ApiGateway.ReadProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_FetchedObjectSentBack_IsAcceptedUnchanged()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        var id = await ApiGateway.CreateEndpointAsync(http, $$"""{ "name": "{{Unique("echo")}}", "voice": "cedar" }""");
        using var fetched = await http.GetAsync($"/api/v1/endpoints/{id}");
        var original = await ApiGateway.ReadJsonAsync(fetched, HttpStatusCode.OK);

        using var put = await http.PutAsync($"/api/v1/endpoints/{id}", ApiGateway.Json(original.GetRawText()));
        var replaced = await ApiGateway.ReadJsonAsync(put, HttpStatusCode.OK);
        Assert.Equal(original.GetProperty("voice").GetString(), replaced.GetProperty("voice").GetString());

        // Aiming a fetched object at another endpoint is refused.
        var other = await ApiGateway.CreateEndpointAsync(http, $$"""{ "name": "{{Unique("other")}}" }""");
        using var wrong = await http.PutAsync($"/api/v1/endpoints/{other}", ApiGateway.Json(original.GetRawText()));
        var problem = await ApiGateway.ReadProblemAsync(wrong, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Create_SeveralInvalidFields_AreAllListed()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        using var response = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json("""
            {
              "name": "",
              "backend": "mainframe",
              "audioFormat": "mp3",
              "turnDetection": { "threshold": 2 },
              "limits": { "sessionTtlSeconds": 5 },
              "carriers": ["fax"],
              "modes": ["telepathy"],
              "phoneNumbers": ["555-1234"],
              "tools": [ { "name": "bad name!" } ],
              "transcription": null
            }
            """));
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        string[] expected =
        [
            "name", "backend", "audioFormat", "turnDetection.threshold", "limits.sessionTtlSeconds",
            "carriers", "modes", "phoneNumbers", "tools", "transcription",
        ];
        foreach (var field in expected)
        {
            Assert.True(errors.TryGetProperty(field, out var messages) && messages.GetArrayLength() > 0, $"no error for '{field}': {errors}");
        }

        Assert.Contains("'fax'", errors.GetProperty("carriers")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal($"the request has {expected.Length} invalid fields", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{ "name": "a", "volume": 11 }""", "volume", "unknown field 'volume'")]
    [InlineData("""{ "name": "a", "turnDetection": { "sensitivity": 1 } }""", "turnDetection.sensitivity", "unknown field 'turnDetection.sensitivity'")]
    [InlineData("""{ "name": "a", "limits": { "maxCallSeconds": "ten" } }""", "limits.maxCallSeconds", "'limits.maxCallSeconds' must be an integer (32-bit)")]
    [InlineData("""{ "name": "a", "limits": { "maxCallSeconds": 1.5 } }""", "limits.maxCallSeconds", "'limits.maxCallSeconds' must be an integer (32-bit)")]
    [InlineData("""{ "name": "a", "voice": 7 }""", "voice", "'voice' must be a string")]
    [InlineData("""{ "name": "a", "tools": {} }""", "tools", "'tools' must be an array")]
    [InlineData("""{ "name": "a", "tools": [ { "description": "no name" } ] }""", "tools[0]", "'tools[0]' is missing required field 'name'")]
    [InlineData("""{ "name": 5 }""", "name", "name must be a string (got a number)")]
    [InlineData("""{ "name": "a", "isDefault": "yes" }""", "isDefault", "isDefault must be true or false (got a string)")]
    [InlineData("""{ "id": "2f1d3a8e-0000-0000-0000-000000000000", "name": "a" }""", "id", "id is assigned by the server (omit it)")]
    public async Task Create_UnknownOrMistypedField_Is400NamingIt(string body, string field, string message)
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        using var response = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json(body));
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(message, problem.GetProperty("detail").GetString());
        Assert.Equal(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Theory]
    [InlineData("""{ "name": "a", """, "malformed JSON at line 1, byte")]
    [InlineData("""{ "name": "a" } trailing""", "malformed JSON at line 1, byte 17: 't'")]
    [InlineData("""{ "name": "a", "name": "b" }""", "duplicate field 'name'")]
    [InlineData("""[ { "name": "a" } ]""", "the request body must be a JSON object (got an array)")]
    [InlineData("", "the request body is empty; send a JSON object")]
    [InlineData("{ \"name\": \"a\",\n  \"voice\": tru }", "malformed JSON at line 2, byte ")]
    public async Task Create_MalformedBody_Is400WithTheReason(string body, string detail)
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        using var response = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json(body));
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fallback_RoundTrips_IsValidatedLikeThePrimary_AndPatchClearsIt()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        var name = Unique("failover");
        using var created = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json($$"""
            { "name": "{{name}}", "backend": "openai", "fallback": { "backend": "azure", "model": "realtime-eu" } }
            """));
        var endpoint = await ApiGateway.ReadJsonAsync(created, HttpStatusCode.Created);
        var id = endpoint.GetProperty("id").GetGuid();
        Assert.Equal("azure", endpoint.GetProperty("fallback").GetProperty("backend").GetString());
        Assert.Equal("realtime-eu", endpoint.GetProperty("fallback").GetProperty("model").GetString());

        using (var same = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json("""{ "fallback": { "backend": "openai" } }""")))
        {
            var errors = (await ApiGateway.ReadProblemAsync(same, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.Equal("fallback must name another backend or another model than the endpoint's own", errors.GetProperty("fallback")[0].GetString());
        }

        using (var unknown = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json("""{ "fallback": { "backend": "gemini", "url": "x" } }""")))
        {
            await ApiGateway.ReadProblemAsync(unknown, HttpStatusCode.BadRequest);
        }

        using var cleared = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json("""{ "fallback": null }"""));
        Assert.Equal(JsonValueKind.Null, (await ApiGateway.ReadJsonAsync(cleared, HttpStatusCode.OK)).GetProperty("fallback").ValueKind);
    }

    [Fact]
    public async Task Create_WrongContentType_Is415_TooLarge_Is413()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        using (var form = await http.PostAsync("/api/v1/endpoints", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "a" })))
        {
            var problem = await ApiGateway.ReadProblemAsync(form, HttpStatusCode.UnsupportedMediaType);
            Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var huge = $$"""{ "name": "big", "instructions": "{{new string('x', 300 * 1024)}}" }""";
        using (var large = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json(huge)))
        {
            await ApiGateway.ReadProblemAsync(large, HttpStatusCode.RequestEntityTooLarge);
        }

        // Without a Content-Length (chunked), the limit holds while reading.
        using var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/endpoints") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var response = await http.SendAsync(request);
        await ApiGateway.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Null(await _api.Gateway.Store.FindEndpointByNameAsync(_api.DefaultTeamId, "big", CancellationToken.None));
    }

    [Fact]
    public async Task DuplicateNameOrPhoneNumber_Is409()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        var name = Unique("dup");
        var number = "+1555" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ApiGateway.CreateEndpointAsync(http, $$"""{ "name": "{{name}}", "phoneNumbers": ["{{number}}"] }""");

        using (var sameName = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json($$"""{ "name": "{{name}}" }""")))
        {
            var problem = await ApiGateway.ReadProblemAsync(sameName, HttpStatusCode.Conflict);
            Assert.Contains(name, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var sameNumber = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json($$"""{ "name": "{{Unique("n")}}", "phoneNumbers": ["{{number}}"] }""")))
        {
            var problem = await ApiGateway.ReadProblemAsync(sameNumber, HttpStatusCode.Conflict);
            Assert.Contains(number, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Renaming onto an existing name conflicts too.
        var other = await ApiGateway.CreateEndpointAsync(http, $$"""{ "name": "{{Unique("other")}}" }""");
        using var rename = await http.PatchAsync($"/api/v1/endpoints/{other}", ApiGateway.Json($$"""{ "name": "{{name}}" }"""));
        await ApiGateway.ReadProblemAsync(rename, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task DefaultEndpoint_CannotBeDeletedOrUndefaulted_UntilAnotherTakesOver()
    {
        var team = await _api.CreateTeamAsync();
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints, team));
        var first = await ApiGateway.CreateEndpointAsync(http, """{ "name": "first", "isDefault": true }""");

        using (var delete = await http.DeleteAsync($"/api/v1/endpoints/{first}"))
        {
            var problem = await ApiGateway.ReadProblemAsync(delete, HttpStatusCode.Conflict);
            Assert.Contains("default endpoint cannot be deleted", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var undefault = await http.PatchAsync($"/api/v1/endpoints/{first}", ApiGateway.Json("""{ "isDefault": false }""")))
        {
            await ApiGateway.ReadProblemAsync(undefault, HttpStatusCode.Conflict);
        }

        // PUT without isDefault keeps the flag.
        using (var put = await http.PutAsync($"/api/v1/endpoints/{first}", ApiGateway.Json("""{ "name": "first", "voice": "cedar" }""")))
        {
            Assert.True((await ApiGateway.ReadJsonAsync(put, HttpStatusCode.OK)).GetProperty("isDefault").GetBoolean());
        }

        var second = await ApiGateway.CreateEndpointAsync(http, """{ "name": "second", "isDefault": true }""");
        using (var old = await http.GetAsync($"/api/v1/endpoints/{first}"))
        {
            Assert.False((await ApiGateway.ReadJsonAsync(old, HttpStatusCode.OK)).GetProperty("isDefault").GetBoolean());
        }

        Assert.Equal(second, (await _api.Gateway.Store.GetDefaultEndpointAsync(team, CancellationToken.None))!.Id);
        using var deleteFirst = await http.DeleteAsync($"/api/v1/endpoints/{first}");
        Assert.Equal(HttpStatusCode.NoContent, deleteFirst.StatusCode);
    }

    [Fact]
    public async Task Transfer_RoundTripsAndPatches_AndTransferToolsNeedATarget()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints));
        using (var refused = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json($$"""
            { "name": "{{Unique("handoff")}}", "tools": [ { "name": "handoff_human" } ], "transfer": { "targets": [ ], "callerId": "front desk" } }
            """)))
        {
            var errors = (await ApiGateway.ReadProblemAsync(refused, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.Contains("needs at least one transfer target", errors.GetProperty("tools")[0].GetString(), StringComparison.Ordinal);
            Assert.True(errors.TryGetProperty("transfer.callerId", out _));
        }

        // A null list item is refused where the body is read (issue 21), naming it.
        using (var refused = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json($$"""
            { "name": "{{Unique("handoff")}}", "transfer": { "targets": [ null ] } }
            """)))
        {
            var errors = (await ApiGateway.ReadProblemAsync(refused, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.Contains("a list may not hold null items", errors.GetProperty("transfer.targets[0]")[0].GetString(), StringComparison.Ordinal);
        }

        using var created = await http.PostAsync("/api/v1/endpoints", ApiGateway.Json($$"""
            {
              "name": "{{Unique("handoff")}}",
              "tools": [ { "name": "end_call" }, { "name": "transfer_call" } ],
              "transfer": { "targets": [ { "name": "billing", "to": "+15551234567", "description": "Invoices" }, { "name": "desk", "to": "sip:desk@pbx.example.com" } ], "callerId": "+15550001111" }
            }
            """));
        var endpoint = await ApiGateway.ReadJsonAsync(created, HttpStatusCode.Created);
        var id = endpoint.GetProperty("id").GetGuid();
        var transfer = endpoint.GetProperty("transfer");
        Assert.Equal("+15550001111", transfer.GetProperty("callerId").GetString());
        Assert.Equal("sip:desk@pbx.example.com", transfer.GetProperty("targets")[1].GetProperty("to").GetString());
        Assert.Equal("Invoices", transfer.GetProperty("targets")[0].GetProperty("description").GetString());
        // Stored as declared: the defaults are filled in when a call starts, not written into the endpoint.
        Assert.True(!endpoint.GetProperty("tools")[1].TryGetProperty("parameters", out var parameters) || parameters.ValueKind == JsonValueKind.Null);

        using (var fetched = await http.GetAsync($"/api/v1/endpoints/{id}"))
        {
            Assert.Equal(endpoint.ToString(), (await ApiGateway.ReadJsonAsync(fetched, HttpStatusCode.OK)).ToString());
        }

        using var patch = await http.PatchAsync($"/api/v1/endpoints/{id}", ApiGateway.Json("""{ "transfer": { "targets": [ { "name": "people", "to": "+15557654321" } ] } }"""));
        var patched = (await ApiGateway.ReadJsonAsync(patch, HttpStatusCode.OK)).GetProperty("transfer");
        Assert.Equal("people", Assert.Single(patched.GetProperty("targets").EnumerateArray()).GetProperty("name").GetString());
        Assert.True(!patched.TryGetProperty("callerId", out var callerId) || callerId.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task EndpointObject_HasEveryAgentSpecField()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ReadTeamApps));
        using var response = await http.GetAsync($"/api/v1/endpoints/{_api.DefaultEndpointId}");
        var endpoint = await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK);
        var fields = endpoint.EnumerateObject().Select(p => p.Name).ToHashSet();

        // Every field the spec serializes (with nullable ones set so none is omitted) is on the endpoint object.
        var full = new AgentSpec { Model = "m", Greeting = "g", Transcription = new TranscriptionSpec { Language = "en" } };
        var specFields = JsonDocument.Parse(AgentSpecJson.Serialize(full)).RootElement.EnumerateObject().Select(p => p.Name);
        Assert.Subset(fields, specFields.ToHashSet());
        Assert.Subset(fields, new HashSet<string> { "id", "name", "isDefault", "createdAt", "updatedAt" });
        Assert.True(endpoint.GetProperty("isDefault").GetBoolean());
    }
}
