namespace Switchboard.IntegrationTests.Telemetry;

/// <summary>
/// One span of an OTLP <c>ExportTraceServiceRequest</c>, read with a small protobuf wire-format reader (only the fields the
/// tests look at: ids, name, kind, times, attributes, events, status, the scope and the resource's attributes).
/// </summary>
internal sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    ulong StartNanos,
    ulong EndNanos,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyList<(string Name, IReadOnlyDictionary<string, object?> Attributes)> Events,
    int StatusCode,
    string Scope,
    IReadOnlyDictionary<string, object?> Resource)
{
    public const int KindInternal = 1;
    public const int KindServer = 2;
    public const int KindClient = 3;
    public const int StatusError = 2;

    public object? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    /// <summary>Every span of an <c>ExportTraceServiceRequest</c>.</summary>
    public static List<OtlpSpan> ReadRequest(byte[] message)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(message))
        {
            if (field.Number != 1)
            {
                continue;
            }

            var resource = new Dictionary<string, object?>(StringComparer.Ordinal);
            var scopeSpansList = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans.Bytes!))
            {
                if (f.Number == 1)
                {
                    foreach (var (rf, rv) in Fields(value.Bytes!))
                    {
                        if (rf.Number == 1)
                        {
                            AddKeyValue(resource, rv.Bytes!);
                        }
                    }
                }
                else if (f.Number == 2)
                {
                    scopeSpansList.Add(value.Bytes!);
                }
            }

            foreach (var scopeSpans in scopeSpansList)
            {
                var scope = "";
                var raw = new List<byte[]>();
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f.Number == 1)
                    {
                        scope = Fields(value.Bytes!).Where(x => x.Field.Number == 1).Select(x => Text(x.Value.Bytes!)).FirstOrDefault() ?? "";
                    }
                    else if (f.Number == 2)
                    {
                        raw.Add(value.Bytes!);
                    }
                }

                spans.AddRange(raw.Select(r => ReadSpan(r, scope, resource)));
            }
        }

        return spans;
    }

    private static OtlpSpan ReadSpan(byte[] span, string scope, Dictionary<string, object?> resource)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        ulong start = 0, end = 0;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var events = new List<(string, IReadOnlyDictionary<string, object?>)>();
        foreach (var (f, v) in Fields(span))
        {
            switch (f.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(v.Bytes!); break;
                case 2: spanId = Convert.ToHexStringLower(v.Bytes!); break;
                case 4: parent = Convert.ToHexStringLower(v.Bytes!); break;
                case 5: name = Text(v.Bytes!); break;
                case 6: kind = (int)v.Number; break;
                case 7: start = v.Number; break;
                case 8: end = v.Number; break;
                case 9: AddKeyValue(attributes, v.Bytes!); break;
                case 11:
                    var eventName = "";
                    var eventAttributes = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var (ef, ev) in Fields(v.Bytes!))
                    {
                        if (ef.Number == 2)
                        {
                            eventName = Text(ev.Bytes!);
                        }
                        else if (ef.Number == 3)
                        {
                            AddKeyValue(eventAttributes, ev.Bytes!);
                        }
                    }

                    events.Add((eventName, eventAttributes));
                    break;
                case 15:
                    status = (int)(Fields(v.Bytes!).Where(x => x.Field.Number == 3).Select(x => x.Value.Number).FirstOrDefault());
                    break;
            }
        }

        return new OtlpSpan(traceId, spanId, parent, name, kind, start, end, attributes, events, status, scope, resource);
    }

    private static void AddKeyValue(Dictionary<string, object?> into, byte[] keyValue)
    {
        var key = "";
        object? value = null;
        foreach (var (f, v) in Fields(keyValue))
        {
            if (f.Number == 1)
            {
                key = Text(v.Bytes!);
            }
            else if (f.Number == 2)
            {
                value = AnyValue(v.Bytes!);
            }
        }

        into[key] = value;
    }

    private static object? AnyValue(byte[] any)
    {
        foreach (var (f, v) in Fields(any))
        {
            switch (f.Number)
            {
                case 1: return Text(v.Bytes!);
                case 2: return v.Number != 0;
                case 3: return (long)v.Number;
                case 4: return BitConverter.UInt64BitsToDouble(v.Number);
                case 5: return Fields(v.Bytes!).Where(x => x.Field.Number == 1).Select(x => AnyValue(x.Value.Bytes!)).ToList();
                case 7: return v.Bytes;
            }
        }

        return null;
    }

    private static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>The fields of a protobuf message: number and wire type, and the value (a number, or the bytes of a length-delimited field).</summary>
    private static List<((int Number, int WireType) Field, (ulong Number, byte[]? Bytes) Value)> Fields(byte[] message)
    {
        var fields = new List<((int, int), (ulong, byte[]?))>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add(((number, wireType), (Varint(message, ref position), null)));
                    break;
                case 1:
                    fields.Add(((number, wireType), (BitConverter.ToUInt64(message, position), null)));
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    fields.Add(((number, wireType), (0, message[position..(position + length)])));
                    position += length;
                    break;
                case 5:
                    fields.Add(((number, wireType), (BitConverter.ToUInt32(message, position), null)));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wireType} of field {number} at {position}");
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
