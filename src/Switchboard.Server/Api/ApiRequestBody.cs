using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using Switchboard.Transport;

namespace Switchboard.Server.Api;

/// <summary>
/// Reads a JSON request body by hand instead of through model binding, so every way a body can be wrong gets
/// a precise problem: wrong content type (415), too large (413), empty, malformed JSON with its position,
/// duplicate fields, or not an object (400).
/// </summary>
internal static class ApiRequestBody
{
    /// <summary>The largest body the API reads. Agent specs with long instructions and tool schemas fit comfortably.</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>The body as a JSON object, or the problem to return.</summary>
    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request.ContentType) && !IsJson(request.ContentType))
        {
            return (null, ApiProblems.UnsupportedMediaType($"Content-Type must be application/json (got '{request.ContentType}')"));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
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
                return (null, TooLarge());
            }
        }

        if (buffer.WrittenCount == 0)
        {
            return (null, ApiProblems.BadRequest("the request body is empty; send a JSON object"));
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.WrittenSpan, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            return (null, ApiProblems.BadRequest(JsonErrorText.Malformed(ex)));
        }

        if (node is not JsonObject body)
        {
            return (null, ApiProblems.BadRequest($"the request body must be a JSON object (got {JsonErrorText.KindOf(node)})"));
        }

        return (body, null);
    }

    private static IResult TooLarge() => ApiProblems.PayloadTooLarge($"the request body exceeds {MaxBytes / 1024} KiB");

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.HasValue &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         media.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
