namespace Switchboard.LocalAgent.Protocol;

/// <summary>The body of an <c>error</c> server event, shaped like the real service's errors.</summary>
internal readonly record struct LocalProtocolError(string Code, string Message, string? Param = null, string Type = "invalid_request_error")
{
    public static LocalProtocolError MissingParameter(string param) =>
        new("missing_required_parameter", $"Missing required parameter: '{param}'.", param);

    public static LocalProtocolError UnknownParameter(string param) =>
        new("unknown_parameter", $"Unknown parameter: '{param}'.", param);

    public static LocalProtocolError InvalidValue(string param, string message) =>
        new("invalid_value", message, param);

    public static LocalProtocolError InvalidType(string param, string expected) =>
        new("invalid_type", $"Invalid type for '{param}': expected {expected}.", param);
}
