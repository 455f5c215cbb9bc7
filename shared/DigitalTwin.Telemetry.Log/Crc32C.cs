// CRC-32C (Castagnoli), the checksum of every log record; hardware-accelerated through BitOperations.
using System.Buffers.Binary;
using System.Numerics;

namespace DigitalTwin.Telemetry.Log;

internal static class Crc32C
{
    /// <summary>CRC-32C of <paramref name="data"/> (initial value and final xor 0xFFFFFFFF, as in RFC 3720).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC-32C: Append(Compute(a), b) == Compute(a ++ b).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            c = BitOperations.Crc32C(c, data[i]);
        }

        return ~c;
    }
}
