using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;

namespace Switchboard.LoadGen;

/// <summary>
/// The 160-byte μ-law payload of every frame carries its identity: bytes 0–3 the call index, bytes 4–7 the
/// frame sequence (little-endian), the rest 0xFF (μ-law silence). The gateway passes μ-law base64 through
/// unchanged, so both ends can read the id back from the first 12 base64 characters.
/// </summary>
internal static class FrameId
{
    public const int PayloadBytes = 160;

    public static void Write(Span<byte> payload, int call, int sequence)
    {
        payload.Fill(0xFF);
        BinaryPrimitives.WriteInt32LittleEndian(payload, call);
        BinaryPrimitives.WriteInt32LittleEndian(payload[4..], sequence);
    }

    public static bool TryRead(ReadOnlySpan<byte> base64, out int call, out int sequence)
    {
        call = -1;
        sequence = -1;
        if (base64.Length < 12)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[9];
        if (Base64.DecodeFromUtf8(base64[..12], raw, out _, out var written) != OperationStatus.Done || written < 8)
        {
            return false;
        }

        call = BinaryPrimitives.ReadInt32LittleEndian(raw);
        sequence = BinaryPrimitives.ReadInt32LittleEndian(raw[4..]);
        return true;
    }
}
