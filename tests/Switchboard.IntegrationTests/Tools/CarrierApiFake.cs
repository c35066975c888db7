using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>
/// A local stand-in for the Twilio REST API and Telnyx call control on a <see cref="LoopbackServer"/>: records every
/// request (with the <see cref="System.Diagnostics.Stopwatch"/> moment it arrived) and answers with <see cref="Status"/> and <see cref="Body"/>.
/// </summary>
internal sealed class CarrierApiFake : IAsyncDisposable
{
    private LoopbackServer _server = null!;

    public string BaseUrl => _server.BaseUrl;

    public int Status { get; set; } = 200;

    public string Body { get; set; } = "{}";

    public IReadOnlyCollection<RecordedRequest> Requests => _server.Requests;

    public static async Task<CarrierApiFake> StartAsync()
    {
        var fake = new CarrierApiFake();
        fake._server = await LoopbackServer.StartAsync(app => app.Run(fake.AnswerAsync));
        return fake;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Body);
    }
}
