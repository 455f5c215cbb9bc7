// The compact, serializable state of one live cell: which model and mesh it belongs to, the time, and the
// differential unknowns (particle and electrolyte concentrations, plus the last potentials as Newton's guess).
using System.Buffers.Binary;

namespace DigitalTwin.Physics.Electrochem.Models;

public sealed record CellState(string Signature, double Time, double[] Values)
{
    private const uint Magic = 0x43535431; // "CST1"

    /// <summary>Binary form: magic, signature (UTF-8, length-prefixed), time, count, values (little-endian doubles).</summary>
    public byte[] ToBytes()
    {
        var sig = System.Text.Encoding.UTF8.GetBytes(Signature);
        var bytes = new byte[4 + 4 + sig.Length + 8 + 4 + 8 * Values.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], sig.Length);
        sig.CopyTo(span[8..]);
        var k = 8 + sig.Length;
        BinaryPrimitives.WriteDoubleLittleEndian(span[k..], Time);
        BinaryPrimitives.WriteInt32LittleEndian(span[(k + 8)..], Values.Length);
        k += 12;
        for (var i = 0; i < Values.Length; i++, k += 8)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span[k..], Values[i]);
        }

        return bytes;
    }

    public static CellState FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 20 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
        {
            throw new FormatException("Not a cell state (bad header).");
        }

        var sigLen = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (sigLen < 0 || 8 + sigLen + 12 > bytes.Length)
        {
            throw new FormatException("Cell state is truncated (signature).");
        }

        var sig = System.Text.Encoding.UTF8.GetString(bytes.Slice(8, sigLen));
        var k = 8 + sigLen;
        var time = BinaryPrimitives.ReadDoubleLittleEndian(bytes[k..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[(k + 8)..]);
        k += 12;
        if (count < 0 || k + 8L * count != bytes.Length)
        {
            throw new FormatException($"Cell state is truncated: {count} values announced, {(bytes.Length - k) / 8} present.");
        }

        var values = new double[count];
        for (var i = 0; i < count; i++, k += 8)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[k..]);
        }

        return new CellState(sig, time, values);
    }
}
