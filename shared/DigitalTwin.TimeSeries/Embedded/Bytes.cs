// Varint/zigzag byte buffers for the chunk encodings (growable writer, span reader).
using System.Buffers.Binary;

namespace DigitalTwin.TimeSeries.Embedded;

internal sealed class ByteWriter
{
    private byte[] _buffer;
    private int _length;

    public ByteWriter(int capacity = 4096)
    {
        _buffer = new byte[capacity];
    }

    public int Length => _length;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Reset() => _length = 0;

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void Varint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    public void ZigZag(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    public void Double(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>XOR with the previous value's bits, then only the non-zero middle bytes (Gorilla-style, byte aligned).</summary>
    public void XorFloat(long bits, ref long previous)
    {
        var x = (ulong)(bits ^ previous);
        previous = bits;
        if (x == 0)
        {
            Byte(0);
            return;
        }

        var leading = System.Numerics.BitOperations.LeadingZeroCount(x) >> 3;
        var trailing = System.Numerics.BitOperations.TrailingZeroCount(x) >> 3;
        var middle = 8 - leading - trailing;
        Ensure(1 + middle);
        _buffer[_length++] = (byte)(1 + (leading << 3) + trailing);
        var shifted = x >> (trailing * 8);
        for (var i = 0; i < middle; i++)
        {
            _buffer[_length++] = (byte)shifted;
            shifted >>= 8;
        }
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}

internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ByteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _data.Length;

    public readonly int Position => _position;

    public byte Byte() => _data[_position++];

    public ulong Varint()
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            shift += 7;
            if (shift > 63)
            {
                throw new InvalidDataException("Corrupt chunk: varint longer than 10 bytes.");
            }
        }
    }

    public int Int() => checked((int)Varint());

    public long ZigZag()
    {
        var raw = Varint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public double Double()
    {
        var value = BinaryPrimitives.ReadDoubleLittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public long XorFloat(ref long previous)
    {
        var control = _data[_position++];
        if (control == 0)
        {
            return previous;
        }

        var leading = (control - 1) >> 3;
        var trailing = (control - 1) & 7;
        var middle = 8 - leading - trailing;
        ulong x = 0;
        for (var i = 0; i < middle; i++)
        {
            x |= (ulong)_data[_position++] << (8 * i);
        }

        previous ^= (long)(x << (trailing * 8));
        return previous;
    }
}
