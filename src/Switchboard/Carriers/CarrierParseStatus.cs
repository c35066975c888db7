namespace Switchboard.Carriers;

/// <summary>Why a carrier frame could not be used; <see cref="Ok"/> otherwise. A value, not an exception, on the hot path.</summary>
internal enum CarrierParseStatus
{
    Ok,
    MalformedJson,
    MissingEvent,
    UnknownEvent,
    MissingField,
    InvalidBase64,
    UnsupportedMediaFormat,
}
