// Streams a file as lines of bytes over one pooled buffer: no string per line or per field,
// bounded memory whatever the file size (a line longer than MaxLineBytes is an error).
using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DigitalTwin.Telemetry.Parsing;

public sealed class ByteLineReader : IDisposable
{
    public const int MaxLineBytes = 16 << 20;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private long _consumedBefore;

    public ByteLineReader(Stream stream, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Bytes of the file consumed so far (for progress).</summary>
    public long BytesConsumed => _consumedBefore + _start;

    /// <summary>True when the last line returned had no line terminator (the file ends mid-line: possibly truncated).</summary>
    public bool LastLineUnterminated { get; private set; }

    /// <summary>Next line without its terminator (LF, CRLF, or CR CR LF); false at the end of the stream.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = TrimCr(available[..newline]);
                _start += newline + 1;
                LineNumber++;
                LastLineUnterminated = false;
                return true;
            }

            if (_eof)
            {
                if (available.IsEmpty)
                {
                    line = default;
                    return false;
                }

                line = TrimCr(available);
                _start = _end;
                LineNumber++;
                LastLineUnterminated = true;
                return true;
            }

            Fill();
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] == (byte)'\r')
        {
            end--;
        }

        return line[..end];
    }

    private void Fill()
    {
        if (_start > 0)
        {
            var remaining = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
            _consumedBefore += _start;
            _start = 0;
            _end = remaining;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw new InvalidDataException($"line {LineNumber + 1} is longer than {MaxLineBytes} bytes: this is not a text export");
            }

            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}

/// <summary>Splits one line into field ranges; quoted fields ("a,b") are honoured, no allocation.</summary>
public static class FieldSplitter
{
    /// <summary>Fills <paramref name="fields"/> with the ranges of the fields and returns how many (at most fields.Length; extra fields are ignored).</summary>
    public static int Split(ReadOnlySpan<byte> line, byte delimiter, Span<Range> fields)
    {
        if (Vector256.IsHardwareAccelerated && line.Length >= Vector256<byte>.Count && !fields.IsEmpty)
        {
            return SplitVector(line, delimiter, fields);
        }

        if (line.IndexOf((byte)'"') < 0)
        {
            var count = 0;
            var start = 0;
            while (count < fields.Length)
            {
                var next = line[start..].IndexOf(delimiter);
                if (next < 0)
                {
                    fields[count++] = new Range(start, line.Length);
                    return count;
                }

                fields[count++] = new Range(start, start + next);
                start += next + 1;
            }

            return count;
        }

        return SplitQuoted(line, delimiter, fields);
    }

    /// <summary>
    /// One pass of 32-byte compares: the delimiter positions come from a bit mask (an IndexOf per short field costs
    /// more than the field). A quote anywhere sends the line to the quoted splitter; the result is the same as the scalar path.
    /// </summary>
    private static int SplitVector(ReadOnlySpan<byte> line, byte delimiter, Span<Range> fields)
    {
        ref var origin = ref MemoryMarshal.GetReference(line);
        var delimiters = Vector256.Create(delimiter);
        var quotes = Vector256.Create((byte)'"');
        var last = line.Length - Vector256<byte>.Count;
        var count = 0;
        var start = 0;
        var offset = 0;
        while (offset < line.Length)
        {
            // The final block may overlap the one before; the bytes already seen are masked off.
            var at = Math.Min(offset, last);
            var block = Vector256.LoadUnsafe(ref origin, (nuint)at);
            if (Vector256.EqualsAny(block, quotes))
            {
                return SplitQuoted(line, delimiter, fields);
            }

            var mask = Vector256.Equals(block, delimiters).ExtractMostSignificantBits();
            if (at < offset)
            {
                mask &= uint.MaxValue << (offset - at);
            }

            while (mask != 0)
            {
                var position = at + BitOperations.TrailingZeroCount(mask);
                fields[count++] = new Range(start, position);
                start = position + 1;
                if (count == fields.Length)
                {
                    return count;
                }

                mask &= mask - 1;
            }

            offset = at + Vector256<byte>.Count;
        }

        fields[count++] = new Range(start, line.Length);
        return count;
    }

    /// <summary>Counts the fields of a line (used to tell a short or truncated row from a full one).</summary>
    public static int Count(ReadOnlySpan<byte> line, byte delimiter)
    {
        if (line.IsEmpty)
        {
            return 0;
        }

        Span<Range> scratch = stackalloc Range[1024];
        return Split(line, delimiter, scratch);
    }

    private static int SplitQuoted(ReadOnlySpan<byte> line, byte delimiter, Span<Range> fields)
    {
        // A whole line wrapped in one pair of quotes (Novonix) is a plain line inside.
        if (line.Length >= 2 && line[0] == (byte)'"' && line[^1] == (byte)'"' && line[1..^1].IndexOf((byte)'"') < 0)
        {
            var inner = Split(line[1..^1], delimiter, fields);
            for (var i = 0; i < inner; i++)
            {
                var (offset, length) = fields[i].GetOffsetAndLength(line.Length - 2);
                fields[i] = new Range(offset + 1, offset + 1 + length);
            }

            return inner;
        }

        var count = 0;
        var pos = 0;
        while (count < fields.Length && pos <= line.Length)
        {
            var start = pos;
            var quoted = pos < line.Length && line[pos] == (byte)'"';
            if (quoted)
            {
                pos++;
                while (pos < line.Length)
                {
                    if (line[pos] == (byte)'"')
                    {
                        if (pos + 1 < line.Length && line[pos + 1] == (byte)'"')
                        {
                            pos += 2;
                            continue;
                        }

                        break;
                    }

                    pos++;
                }

                pos = Math.Min(pos + 1, line.Length);
            }

            var next = line[pos..].IndexOf(delimiter);
            var end = next < 0 ? line.Length : pos + next;
            fields[count++] = quoted ? new Range(start + 1, Math.Max(start + 1, end - 1)) : new Range(start, end);
            if (next < 0)
            {
                break;
            }

            pos = end + 1;
        }

        return count;
    }
}
