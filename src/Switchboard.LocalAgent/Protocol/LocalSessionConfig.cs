using System.Text.Json;
using Switchboard.Audio;

namespace Switchboard.LocalAgent.Protocol;

/// <summary>
/// The effective session configuration. Updates are applied to a copy and swapped in only when the whole
/// <c>session.update</c> is valid, so an error never leaves a half-applied session. Fields the local agent
/// does not act on (tools, tool_choice, tracing, …) are kept as raw JSON and echoed back.
/// </summary>
internal sealed class LocalSessionConfig
{
    // Beta-shaped top-level fields: the real GA service rejects them, and so do we, so a gateway that
    // sends the wrong shape fails here too instead of only against OpenAI.
    private static readonly string[] BetaOnlyFields =
        ["modalities", "input_audio_format", "output_audio_format", "turn_detection", "voice", "input_audio_transcription", "input_audio_noise_reduction", "temperature"];

    public LocalSessionConfig(string id, string model, long expiresAt)
    {
        Id = id;
        Model = model;
        ExpiresAt = expiresAt;
    }

    public string Id { get; }

    public string Model { get; }

    public long ExpiresAt { get; }

    public string Instructions { get; private set; } = "";

    public bool TextOutput { get; private set; }

    public AudioFormat InputFormat { get; private set; } = AudioFormat.Pcm24k;

    public AudioFormat OutputFormat { get; private set; } = AudioFormat.Pcm24k;

    public LocalTurnDetection? TurnDetection { get; private set; } = LocalTurnDetection.Default;

    /// <summary>Raw <c>audio.input.transcription</c>; non-null means transcription is on.</summary>
    public string? TranscriptionJson { get; private set; }

    public bool TranscriptionEnabled => TranscriptionJson is not null;

    public string? NoiseReductionJson { get; private set; }

    public string VoiceJson { get; private set; } = "\"marin\"";

    public double Speed { get; private set; } = 1.0;

    public string ToolsJson { get; private set; } = "[]";

    public string ToolChoiceJson { get; private set; } = "\"auto\"";

    public string MaxOutputTokensJson { get; private set; } = "\"inf\"";

    public string? TracingJson { get; private set; }

    public string? PromptJson { get; private set; }

    public string? IncludeJson { get; private set; }

    public string? TruncationJson { get; private set; }

    public LocalSessionConfig Clone() => (LocalSessionConfig)MemberwiseClone();

    /// <summary>
    /// Applies a GA <c>session</c> object. Returns the new configuration, or null with <paramref name="error"/>
    /// set (nothing applied). <paramref name="voiceLocked"/> is true once the session has produced audio.
    /// </summary>
    public LocalSessionConfig? Apply(JsonElement session, bool voiceLocked, out LocalProtocolError error)
    {
        error = default;
        if (session.ValueKind != JsonValueKind.Object)
        {
            error = LocalProtocolError.InvalidType("session", "an object");
            return null;
        }

        if (!session.TryGetProperty("type", out var type))
        {
            error = LocalProtocolError.MissingParameter("session.type");
            return null;
        }

        if (type.ValueKind != JsonValueKind.String || type.GetString() != "realtime")
        {
            error = LocalProtocolError.InvalidValue(
                "session.type",
                $"Invalid value: '{(type.ValueKind == JsonValueKind.String ? type.GetString() : type.GetRawText())}'. The local backend supports only 'realtime' sessions.");
            return null;
        }

        var next = Clone();
        foreach (var property in session.EnumerateObject())
        {
            if (!next.TryApplyProperty(property, voiceLocked, out error))
            {
                return null;
            }
        }

        return next;
    }

    private bool TryApplyProperty(JsonProperty property, bool voiceLocked, out LocalProtocolError error)
    {
        error = default;
        var path = "session." + property.Name;
        var value = property.Value;
        switch (property.Name)
        {
            case "type":
            case "model":
            case "id":
            case "object":
            case "expires_at":
                // The model cannot change on a live session; echoing our own fields back is harmless.
                return true;
            case "instructions":
                if (!RequireString(value, path, out error))
                {
                    return false;
                }

                Instructions = value.GetString()!;
                return true;
            case "output_modalities":
                return TryApplyModalities(value, path, out error);
            case "audio":
                return TryApplyAudio(value, path, voiceLocked, out error);
            case "tools":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    error = LocalProtocolError.InvalidType(path, "an array");
                    return false;
                }

                ToolsJson = value.GetRawText();
                return true;
            case "tool_choice":
                if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Object))
                {
                    error = LocalProtocolError.InvalidType(path, "a string or an object");
                    return false;
                }

                ToolChoiceJson = value.GetRawText();
                return true;
            case "max_output_tokens":
                if (!(value.ValueKind == JsonValueKind.Number || (value.ValueKind == JsonValueKind.String && value.GetString() == "inf")))
                {
                    error = LocalProtocolError.InvalidValue(path, "Invalid value: expected an integer or 'inf'.");
                    return false;
                }

                MaxOutputTokensJson = value.GetRawText();
                return true;
            case "tracing":
                TracingJson = NullableRaw(value);
                return true;
            case "prompt":
                PromptJson = NullableRaw(value);
                return true;
            case "include":
                IncludeJson = NullableRaw(value);
                return true;
            case "truncation":
                TruncationJson = NullableRaw(value);
                return true;
            default:
                if (Array.IndexOf(BetaOnlyFields, property.Name) >= 0)
                {
                    error = LocalProtocolError.UnknownParameter(path);
                    return false;
                }

                // Newer optional fields are accepted and ignored, as a forward-compatible server would.
                return true;
        }
    }

    private bool TryApplyModalities(JsonElement value, string path, out LocalProtocolError error)
    {
        error = default;
        if (value.ValueKind != JsonValueKind.Array)
        {
            error = LocalProtocolError.InvalidType(path, "an array");
            return false;
        }

        var audio = false;
        var text = false;
        foreach (var item in value.EnumerateArray())
        {
            switch (item.ValueKind == JsonValueKind.String ? item.GetString() : null)
            {
                case "audio":
                    audio = true;
                    break;
                case "text":
                    text = true;
                    break;
                default:
                    error = LocalProtocolError.InvalidValue(path, $"Invalid value: '{item.GetRawText()}'. Supported values are: 'text' and 'audio'.");
                    return false;
            }
        }

        if (audio == text)
        {
            error = LocalProtocolError.InvalidValue(path, "Invalid modalities: supported combinations are ['text'] and ['audio'].");
            return false;
        }

        TextOutput = text;
        return true;
    }

    private bool TryApplyAudio(JsonElement value, string path, bool voiceLocked, out LocalProtocolError error)
    {
        error = default;
        if (value.ValueKind != JsonValueKind.Object)
        {
            error = LocalProtocolError.InvalidType(path, "an object");
            return false;
        }

        foreach (var direction in value.EnumerateObject())
        {
            var directionPath = path + "." + direction.Name;
            if (direction.Value.ValueKind != JsonValueKind.Object)
            {
                error = LocalProtocolError.InvalidType(directionPath, "an object");
                return false;
            }

            var ok = direction.Name switch
            {
                "input" => TryApplyInput(direction.Value, directionPath, out error),
                "output" => TryApplyOutput(direction.Value, directionPath, voiceLocked, out error),
                _ => Unknown(directionPath, out error),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private bool TryApplyInput(JsonElement input, string path, out LocalProtocolError error)
    {
        error = default;
        foreach (var property in input.EnumerateObject())
        {
            var propertyPath = path + "." + property.Name;
            var value = property.Value;
            switch (property.Name)
            {
                case "format":
                    if (!RealtimeAudioFormats.TryParse(value, propertyPath, out var format, out error))
                    {
                        return false;
                    }

                    InputFormat = format;
                    break;
                case "transcription":
                    if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                    {
                        error = LocalProtocolError.InvalidType(propertyPath, "an object or null");
                        return false;
                    }

                    TranscriptionJson = NullableRaw(value);
                    break;
                case "noise_reduction":
                    if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                    {
                        error = LocalProtocolError.InvalidType(propertyPath, "an object or null");
                        return false;
                    }

                    NoiseReductionJson = NullableRaw(value);
                    break;
                case "turn_detection":
                    if (!TryParseTurnDetection(value, propertyPath, out var detection, out error))
                    {
                        return false;
                    }

                    TurnDetection = detection;
                    break;
                default:
                    return Unknown(propertyPath, out error);
            }
        }

        return true;
    }

    private bool TryApplyOutput(JsonElement output, string path, bool voiceLocked, out LocalProtocolError error)
    {
        error = default;
        foreach (var property in output.EnumerateObject())
        {
            var propertyPath = path + "." + property.Name;
            var value = property.Value;
            switch (property.Name)
            {
                case "format":
                    if (!RealtimeAudioFormats.TryParse(value, propertyPath, out var format, out error))
                    {
                        return false;
                    }

                    OutputFormat = format;
                    break;
                case "voice":
                    if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Object))
                    {
                        error = LocalProtocolError.InvalidType(propertyPath, "a string or an object");
                        return false;
                    }

                    var raw = value.GetRawText();
                    if (voiceLocked && raw != VoiceJson)
                    {
                        // Like the real service: the voice is fixed once assistant audio exists.
                        error = new LocalProtocolError("cannot_update_voice", "Cannot update a conversation's voice if assistant audio is present.", propertyPath);
                        return false;
                    }

                    VoiceJson = raw;
                    break;
                case "speed":
                    if (value.ValueKind != JsonValueKind.Number || value.GetDouble() is < 0.25 or > 1.5)
                    {
                        error = LocalProtocolError.InvalidValue(propertyPath, "Invalid value: speed must be a number between 0.25 and 1.5.");
                        return false;
                    }

                    Speed = value.GetDouble();
                    break;
                default:
                    return Unknown(propertyPath, out error);
            }
        }

        return true;
    }

    private static bool TryParseTurnDetection(JsonElement value, string path, out LocalTurnDetection? detection, out LocalProtocolError error)
    {
        detection = null;
        error = default;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error = LocalProtocolError.InvalidType(path, "an object or null");
            return false;
        }

        var type = value.TryGetProperty("type", out var typeValue) && typeValue.ValueKind == JsonValueKind.String ? typeValue.GetString() : null;
        if (type is not (LocalTurnDetection.ServerVad or LocalTurnDetection.SemanticVad))
        {
            error = type is null
                ? LocalProtocolError.MissingParameter(path + ".type")
                : LocalProtocolError.InvalidValue(path + ".type", $"Invalid value: '{type}'. Supported values are: 'server_vad' and 'semantic_vad'.");
            return false;
        }

        var result = new LocalTurnDetection(type);
        foreach (var property in value.EnumerateObject())
        {
            var propertyPath = path + "." + property.Name;
            var field = property.Value;
            switch (property.Name)
            {
                case "type":
                    break;
                case "threshold":
                    if (field.ValueKind != JsonValueKind.Number || field.GetDouble() is < 0 or > 1)
                    {
                        error = LocalProtocolError.InvalidValue(propertyPath, "Invalid value: threshold must be a number between 0 and 1.");
                        return false;
                    }

                    result = result with { Threshold = field.GetDouble() };
                    break;
                case "prefix_padding_ms":
                case "silence_duration_ms":
                    if (field.ValueKind != JsonValueKind.Number || !field.TryGetInt32(out var ms) || ms < 0 || ms > 10_000)
                    {
                        error = LocalProtocolError.InvalidValue(propertyPath, $"Invalid value: {property.Name} must be an integer between 0 and 10000.");
                        return false;
                    }

                    result = property.Name == "prefix_padding_ms" ? result with { PrefixPaddingMs = ms } : result with { SilenceDurationMs = ms };
                    break;
                case "create_response":
                case "interrupt_response":
                    if (field.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        error = LocalProtocolError.InvalidType(propertyPath, "a boolean");
                        return false;
                    }

                    result = property.Name == "create_response" ? result with { CreateResponse = field.GetBoolean() } : result with { InterruptResponse = field.GetBoolean() };
                    break;
                case "idle_timeout_ms":
                    if (field.ValueKind == JsonValueKind.Null)
                    {
                        result = result with { IdleTimeoutMs = null };
                        break;
                    }

                    if (field.ValueKind != JsonValueKind.Number || !field.TryGetInt32(out var idle) || idle < 5000 || idle > 30000)
                    {
                        error = LocalProtocolError.InvalidValue(propertyPath, "Invalid value: idle_timeout_ms must be null or an integer between 5000 and 30000.");
                        return false;
                    }

                    result = result with { IdleTimeoutMs = idle };
                    break;
                case "eagerness":
                    if (field.ValueKind != JsonValueKind.String || field.GetString() is not ("low" or "medium" or "high" or "auto"))
                    {
                        error = LocalProtocolError.InvalidValue(propertyPath, "Invalid value. Supported values are: 'low', 'medium', 'high', and 'auto'.");
                        return false;
                    }

                    result = result with { Eagerness = field.GetString()! };
                    break;
                default:
                    error = LocalProtocolError.UnknownParameter(propertyPath);
                    return false;
            }
        }

        detection = result;
        return true;
    }

    /// <summary>Writes the GA session object (<c>session.created</c> / <c>session.updated</c>).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "realtime");
        writer.WriteString("object", "realtime.session");
        writer.WriteString("id", Id);
        writer.WriteString("model", Model);
        writer.WriteStartArray("output_modalities");
        writer.WriteStringValue(TextOutput ? "text" : "audio");
        writer.WriteEndArray();
        writer.WriteString("instructions", Instructions);
        writer.WritePropertyName("tools");
        writer.WriteRawValue(ToolsJson, skipInputValidation: true);
        writer.WritePropertyName("tool_choice");
        writer.WriteRawValue(ToolChoiceJson, skipInputValidation: true);
        writer.WritePropertyName("max_output_tokens");
        writer.WriteRawValue(MaxOutputTokensJson, skipInputValidation: true);
        WriteNullableRaw(writer, "tracing", TracingJson);
        WriteNullableRaw(writer, "prompt", PromptJson);
        if (TruncationJson is not null)
        {
            WriteNullableRaw(writer, "truncation", TruncationJson);
        }

        writer.WriteNumber("expires_at", ExpiresAt);
        writer.WriteStartObject("audio");
        writer.WriteStartObject("input");
        writer.WritePropertyName("format");
        RealtimeAudioFormats.Write(writer, InputFormat);
        WriteNullableRaw(writer, "transcription", TranscriptionJson);
        WriteNullableRaw(writer, "noise_reduction", NoiseReductionJson);
        writer.WritePropertyName("turn_detection");
        if (TurnDetection is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            TurnDetection.WriteTo(writer);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("output");
        writer.WritePropertyName("format");
        RealtimeAudioFormats.Write(writer, OutputFormat);
        writer.WritePropertyName("voice");
        writer.WriteRawValue(VoiceJson, skipInputValidation: true);
        writer.WriteNumber("speed", Speed);
        writer.WriteEndObject();
        writer.WriteEndObject();
        WriteNullableRaw(writer, "include", IncludeJson);
        writer.WriteEndObject();
    }

    private static void WriteNullableRaw(Utf8JsonWriter writer, string name, string? raw)
    {
        writer.WritePropertyName(name);
        if (raw is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
        }
    }

    private static string? NullableRaw(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetRawText();

    private static bool RequireString(JsonElement value, string path, out LocalProtocolError error)
    {
        error = default;
        if (value.ValueKind == JsonValueKind.String)
        {
            return true;
        }

        error = LocalProtocolError.InvalidType(path, "a string");
        return false;
    }

    private static bool Unknown(string path, out LocalProtocolError error)
    {
        error = LocalProtocolError.UnknownParameter(path);
        return false;
    }
}
