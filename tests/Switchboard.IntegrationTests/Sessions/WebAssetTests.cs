using System.Net;
using System.Net.Http.Headers;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// The talk page and the JavaScript client served from embedded resources: content types, the SDK's CORS header,
/// strong ETags with <c>Cache-Control: no-cache</c> and 304 on revalidation, and a problem+json 404 for anything else.
/// </summary>
public class WebAssetTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync(SessionApi.Settings());

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private HttpClient Http() => new() { BaseAddress = new Uri(_gateway.BaseUrl) };

    [Fact]
    public async Task Root_IsTheTalkPageAsHtml_WithoutCors()
    {
        using var http = Http();
        using var response = await http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Contains("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(response.Headers.ETag);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Sdk_IsJavaScriptThatAnyOriginMayLoad()
    {
        using var http = Http();
        using var response = await http.GetAsync("/sdk/switchboard.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.True(response.Headers.CacheControl?.NoCache);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/sdk/switchboard.js")]
    public async Task IfNoneMatchWithTheETag_Is304WithoutABody_AnotherTagGetsTheFile(string path)
    {
        using var http = Http();
        using var first = await http.GetAsync(path);
        var etag = first.Headers.ETag!;
        var content = await first.Content.ReadAsByteArrayAsync();

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);

        using var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0123456789abcdef\""));
        using var changed = await http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(content, await changed.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task ETags_AreStableAndDifferPerFile()
    {
        using var http = Http();
        using var page1 = await http.GetAsync("/");
        using var page2 = await http.GetAsync("/");
        using var sdk = await http.GetAsync("/sdk/switchboard.js");

        Assert.Equal(page1.Headers.ETag, page2.Headers.ETag);
        Assert.NotEqual(page1.Headers.ETag, sdk.Headers.ETag);
    }

    [Theory]
    [InlineData("/sdk/nope.js")]
    [InlineData("/app/nope.css")]
    [InlineData("/sdk/..%2Findex.html")]
    [InlineData("/sdk/")]
    public async Task UnknownFile_Is404ProblemJson(string path)
    {
        using var http = Http();
        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await SessionApi.ProblemAsync(response);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Null(response.Headers.ETag);
    }

    [Fact]
    public async Task UnknownSdkFile_NamesTheFileItLookedFor()
    {
        using var http = Http();
        using var response = await http.GetAsync("/sdk/nope.js");

        Assert.Equal("no such file: /sdk/nope.js", (await SessionApi.ProblemAsync(response)).GetProperty("detail").GetString());
    }
}
