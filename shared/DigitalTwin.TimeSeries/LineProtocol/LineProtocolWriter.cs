// Serializes point batches to InfluxDB line protocol (UTF-8, nanosecond timestamps) into a
// reusable buffer; escaped field names are cached because the same few names repeat.
using System.Globalization;
using System.Text;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.LineProtocol;

public sealed class LineProtocolWriter
{
    private readonly Dictionary<string, byte[]> _fieldNames = new(StringComparer.Ordinal);
    private byte[] _buffer;
    private int _length;

    public LineProtocolWriter(int initialCapacity = 1 << 16)
    {
        _buffer = new byte[Math.Max(initialCapacity, 256)];
    }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public int Length => _length;

    public void Reset() => _length = 0;

    /// <summary>Drops everything after <paramref name="length"/> bytes (undoes the last points).</summary>
    public void Truncate(int length) => _length = Math.Clamp(length, 0, _length);

    /// <summary>Appends points [start, start+count) of the batch, one line each, each ending in '\n'.</summary>
    public void Append(PointBatch batch, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            AppendPoint(batch, i);
        }
    }

    public void Append(PointBatch batch) => Append(batch, 0, batch.Count);

    /// <summary>Line protocol of a whole batch as text (tests, debugging).</summary>
    public static string Format(PointBatch batch)
    {
        var writer = new LineProtocolWriter();
        writer.Append(batch);
        return Encoding.UTF8.GetString(writer.Written.Span);
    }

    public void AppendPoint(PointBatch batch, int index)
    {
        var fields = batch.Fields(index);
        if (fields.IsEmpty)
        {
            throw new InvalidOperationException($"Point {index} of {batch.Series(index).Key} has no field; line protocol needs one.");
        }

        Write(batch.Series(index).KeyUtf8);
        WriteByte((byte)' ');
        for (var f = 0; f < fields.Length; f++)
        {
            if (f > 0)
            {
                WriteByte((byte)',');
            }

            ref readonly var field = ref fields[f];
            Write(FieldName(field.Name));
            WriteByte((byte)'=');
            switch (field.Kind)
            {
                case FieldKind.Float:
                    WriteFormatted(field.Float);
                    break;
                case FieldKind.Integer:
                    WriteFormatted(field.Integer);
                    WriteByte((byte)'i');
                    break;
                case FieldKind.Boolean:
                    Write(field.Boolean ? "true"u8 : "false"u8);
                    break;
                default:
                    WriteByte((byte)'"');
                    Write(Encoding.UTF8.GetBytes(Escaping.EscapeStringValue(field.Text ?? string.Empty)));
                    WriteByte((byte)'"');
                    break;
            }
        }

        WriteByte((byte)' ');
        WriteFormatted(batch.Timestamp(index));
        WriteByte((byte)'\n');
    }

    private byte[] FieldName(string name)
    {
        if (!_fieldNames.TryGetValue(name, out var bytes))
        {
            bytes = Encoding.UTF8.GetBytes(Escaping.EscapeKey(name));
            _fieldNames[name] = bytes;
        }

        return bytes;
    }

    private void WriteFormatted<T>(T value) where T : IUtf8SpanFormattable
    {
        Ensure(32);
        if (!value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("Number did not fit in 32 bytes.");
        }

        _length += written;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void WriteByte(byte value)
    {
        if (_length == _buffer.Length)
        {
            Ensure(1);
        }

        _buffer[_length++] = value;
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}
