using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Switchboard.Transport;

namespace Switchboard.Server.Api;

/// <summary>
/// Reads a JSON request body by hand instead of through model binding, so every way a body can be wrong gets
/// a precise problem: wrong content type (415), too large (413), empty, malformed JSON with its position, or not an
/// object (400), and everything <see cref="JsonInput"/> refuses (invalid UTF-8, duplicate fields, too deep, lone
/// surrogates, null list items, numbers out of range: 400 naming the field). Every route that takes a JSON body reads
/// it here, so a handler only ever sees a document it can read and echo without an exception.
/// </summary>
internal static class ApiRequestBody
{
    /// <summary>The largest body the API reads. Agent specs with long instructions and tool schemas fit comfortably.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>The body as a JSON object, or the problem to return.</summary>
    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
        return problem is null ? (JsonObject.Create(body), null) : (null, problem);
    }

    /// <summary>The body as a checked JSON object element, or the problem to return (then the element is undefined).</summary>
    public static async Task<(JsonElement Body, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request.ContentType) && !IsJson(request.ContentType))
        {
            return (default, ApiProblems.UnsupportedMediaType($"Content-Type must be application/json (got '{request.ContentType}')"));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (default, TooLarge());
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes)
            {
                return (default, TooLarge());
            }
        }

        if (buffer.WrittenCount == 0)
        {
            return (default, ApiProblems.BadRequest("the request body is empty; send a JSON object"));
        }

        if (!JsonInput.TryParse(buffer.WrittenMemory, out var body, out var invalid))
        {
            return (default, ApiProblems.InvalidField(invalid!.Field, invalid.Message));
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (default, ApiProblems.BadRequest($"the request body must be a JSON object (got {JsonErrorText.KindOf(JsonNode.Parse(body.GetRawText()))})"));
        }

        return (body, null);
    }

    private static IResult TooLarge() => ApiProblems.PayloadTooLarge($"the request body exceeds {MaxBytes / 1024} KiB");

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.HasValue &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         media.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
