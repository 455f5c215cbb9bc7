// Encoding of a raw chunk (one series, ascending unique times): delta-varint times, then per
// field a presence map and the values (floats XOR-packed, integers delta-zigzag, strings UTF-8).
using System.Text;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Embedded;

internal static class RawChunkCodec
{
    private const byte Version = 1;
    private const byte AllPresent = 0;
    private const byte Bitmap = 1;

    public static void Encode(PointColumns points, int start, int count, ByteWriter output)
    {
        output.Byte(Version);
        output.Varint((ulong)count);
        var present = 0;
        foreach (var column in points.Columns)
        {
            present += AnyPresent(column, start, count) ? 1 : 0;
        }

        output.Varint((ulong)present);
        foreach (var column in points.Columns)
        {
            if (AnyPresent(column, start, count))
            {
                output.Varint((ulong)column.FieldId);
                output.Byte((byte)column.Kind);
            }
        }

        var times = points.Times;
        output.ZigZag(times[start]);
        for (var i = start + 1; i < start + count; i++)
        {
            output.ZigZag(times[i] - times[i - 1]);
        }

        foreach (var column in points.Columns)
        {
            if (!AnyPresent(column, start, count))
            {
                continue;
            }

            var presence = column.Present.AsSpan(start, count);
            if (presence.IndexOf(false) < 0)
            {
                output.Byte(AllPresent);
            }
            else
            {
                output.Byte(Bitmap);
                for (var i = 0; i < count; i += 8)
                {
                    byte bits = 0;
                    for (var b = 0; b < 8 && i + b < count; b++)
                    {
                        if (presence[i + b])
                        {
                            bits |= (byte)(1 << b);
                        }
                    }

                    output.Byte(bits);
                }
            }

            long previous = 0;
            for (var i = start; i < start + count; i++)
            {
                if (!column.Present[i])
                {
                    continue;
                }

                switch (column.Kind)
                {
                    case FieldKind.Float:
                        output.XorFloat(column.Bits[i], ref previous);
                        break;
                    case FieldKind.Integer:
                    case FieldKind.Boolean:
                        output.ZigZag(column.Bits[i] - previous);
                        previous = column.Bits[i];
                        break;
                    default:
                        var bytes = Encoding.UTF8.GetBytes(column.Texts![i] ?? string.Empty);
                        output.Varint((ulong)bytes.Length);
                        output.Bytes(bytes);
                        break;
                }
            }
        }
    }

    public static PointColumns Decode(ReadOnlySpan<byte> data, out int bytesRead)
    {
        var reader = new ByteReader(data);
        var version = reader.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Raw chunk version {version} is not supported (expected {Version}).");
        }

        var count = reader.Int();
        var fieldCount = reader.Int();
        var result = new PointColumns(count);
        var columns = new PointColumn[fieldCount];
        var fields = new (int Id, FieldKind Kind)[fieldCount];
        for (var f = 0; f < fieldCount; f++)
        {
            fields[f] = (reader.Int(), (FieldKind)reader.Byte());
        }

        var time = reader.ZigZag();
        result.AddTime(time);
        for (var i = 1; i < count; i++)
        {
            time += reader.ZigZag();
            result.AddTime(time);
        }

        for (var f = 0; f < fieldCount; f++)
        {
            var column = columns[f] = result.ColumnFor(fields[f].Id, fields[f].Kind);
            var mode = reader.Byte();
            if (mode == AllPresent)
            {
                column.Present.AsSpan(0, count).Fill(true);
            }
            else
            {
                var bitmap = reader.Bytes((count + 7) / 8);
                for (var i = 0; i < count; i++)
                {
                    column.Present[i] = (bitmap[i >> 3] & (1 << (i & 7))) != 0;
                }
            }

            long previous = 0;
            for (var i = 0; i < count; i++)
            {
                if (!column.Present[i])
                {
                    continue;
                }

                switch (column.Kind)
                {
                    case FieldKind.Float:
                        column.Bits[i] = reader.XorFloat(ref previous);
                        break;
                    case FieldKind.Integer:
                    case FieldKind.Boolean:
                        previous += reader.ZigZag();
                        column.Bits[i] = previous;
                        break;
                    default:
                        column.Texts![i] = Encoding.UTF8.GetString(reader.Bytes(reader.Int()));
                        break;
                }
            }
        }

        bytesRead = reader.Position;
        return result;
    }

    private static bool AnyPresent(PointColumn column, int start, int count) =>
        column.Present.AsSpan(start, count).IndexOf(true) >= 0;
}
