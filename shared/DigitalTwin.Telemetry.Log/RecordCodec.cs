// The payloads of log records: sample batches as raw little-endian columns (a copy, no per-value encoding),
// attachments (opaque bytes, e.g. a spectrum or a file's provenance) and upload commits.
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DigitalTwin.Telemetry.Log;

internal enum RecordKind : byte
{
    Samples = 1,
    Attachment = 2,
    Commit = 3,
}

/// <summary>The fixed part of every payload, plus the source fields of sample and commit records.</summary>
internal readonly record struct PayloadHeader(RecordKind Kind, ulong UploadId, string SourceId, string CellId, string SourceFile, int BodyOffset);

/// <summary>What the index keeps of a samples record: sequence range, rows and clock range [ns].</summary>
internal readonly record struct SamplesSummary(ulong FirstSequence, ulong LastSequence, int Count, long MinTimeNs, long MaxTimeNs);

/// <summary>A pooled, growable payload under construction.</summary>
internal sealed class PayloadBuffer : IDisposable
{
    private byte[] _buffer;

    public PayloadBuffer(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(256, capacity));
    }

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public Span<byte> Reserve(int bytes)
    {
        if (Length + bytes > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + bytes, _buffer.Length * 2));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        var span = _buffer.AsSpan(Length, bytes);
        Length += bytes;
        return span;
    }

    public void U8(byte value) => Reserve(1)[0] = value;

    public void U16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void Str(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > ushort.MaxValue)
        {
            throw new ArgumentException($"'{value[..40]}...' is longer than {ushort.MaxValue} UTF-8 bytes", nameof(value));
        }

        U16((ushort)bytes);
        Encoding.UTF8.GetBytes(value, Reserve(bytes));
    }

    public void Raw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        Length = 0;
    }
}

internal static class RecordCodec
{
    public const byte Version = 1;

    // Column order and element sizes, by SampleFields bit.
    private static readonly int[] ElementSize = [8, 8, 8, 4, 4, 1, 8, 8, 8, 8, 8, 8, 8, 8];

    static RecordCodec()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the telemetry log stores columns little-endian and needs a little-endian machine");
        }
    }

    public static void WriteHeader(PayloadBuffer buffer, RecordKind kind, ulong uploadId, string sourceId, string cellId, string sourceFile)
    {
        buffer.U8((byte)kind);
        buffer.U8(Version);
        buffer.U16(0);
        buffer.U64(uploadId);
        if (kind != RecordKind.Attachment)
        {
            buffer.Str(sourceId);
            buffer.Str(cellId);
            buffer.Str(sourceFile);
        }
    }

    /// <summary>Rows [start, Count) of <paramref name="samples"/> as a samples payload.</summary>
    public static void EncodeSamples(PayloadBuffer buffer, ulong uploadId, string sourceId, string cellId, string sourceFile, SampleColumns samples, int start)
    {
        var count = samples.Count - start;
        WriteHeader(buffer, RecordKind.Samples, uploadId, sourceId, cellId, sourceFile);
        buffer.U32((uint)count);
        var fields = samples.Fields | SampleFields.Required;
        buffer.U32((uint)fields);
        Column(buffer, fields, SampleFields.Sequence, samples.Sequence, start, count);
        Column(buffer, fields, SampleFields.TimeUnixNs, samples.TimeUnixNs, start, count);
        Column(buffer, fields, SampleFields.TestTime, samples.TestTime, start, count);
        Column(buffer, fields, SampleFields.Cycle, samples.Cycle, start, count);
        Column(buffer, fields, SampleFields.Step, samples.Step, start, count);
        Column(buffer, fields, SampleFields.StepType, samples.StepType, start, count);
        Column(buffer, fields, SampleFields.Current, samples.Current, start, count);
        Column(buffer, fields, SampleFields.Voltage, samples.Voltage, start, count);
        Column(buffer, fields, SampleFields.Temperature, samples.Temperature, start, count);
        Column(buffer, fields, SampleFields.ChargeCapacity, samples.ChargeCapacity, start, count);
        Column(buffer, fields, SampleFields.DischargeCapacity, samples.DischargeCapacity, start, count);
        Column(buffer, fields, SampleFields.ChargeEnergy, samples.ChargeEnergy, start, count);
        Column(buffer, fields, SampleFields.DischargeEnergy, samples.DischargeEnergy, start, count);
        Column(buffer, fields, SampleFields.SourceRow, samples.SourceRow, start, count);
    }

    public static void EncodeAttachment(PayloadBuffer buffer, ulong uploadId, string kind, ReadOnlySpan<byte> data)
    {
        WriteHeader(buffer, RecordKind.Attachment, uploadId, string.Empty, string.Empty, string.Empty);
        buffer.Str(kind);
        buffer.U32((uint)data.Length);
        buffer.Raw(data);
    }

    public static void EncodeCommit(PayloadBuffer buffer, ulong uploadId, string sourceId, string cellId, string sourceFile) =>
        WriteHeader(buffer, RecordKind.Commit, uploadId, sourceId, cellId, sourceFile);

    /// <summary>Reads the fixed header; throws <see cref="InvalidDataException"/> on a malformed payload.</summary>
    public static PayloadHeader ReadHeader(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 12)
        {
            throw new InvalidDataException($"payload of {payload.Length} bytes is shorter than its 12-byte header");
        }

        var kind = (RecordKind)payload[0];
        if (kind is not (RecordKind.Samples or RecordKind.Attachment or RecordKind.Commit))
        {
            throw new InvalidDataException($"unknown record kind {payload[0]}");
        }

        if (payload[1] != Version)
        {
            throw new InvalidDataException($"record format version {payload[1]} is not {Version}");
        }

        var uploadId = BinaryPrimitives.ReadUInt64LittleEndian(payload[4..]);
        var offset = 12;
        string source = string.Empty, cell = string.Empty, file = string.Empty;
        if (kind != RecordKind.Attachment)
        {
            source = ReadString(payload, ref offset);
            cell = ReadString(payload, ref offset);
            file = ReadString(payload, ref offset);
        }

        return new PayloadHeader(kind, uploadId, source, cell, file, offset);
    }

    /// <summary>Row count, fields and the offset of the first column of a samples payload.</summary>
    public static (int Count, SampleFields Fields, int ColumnsOffset) ReadSamplesShape(ReadOnlySpan<byte> payload, in PayloadHeader header)
    {
        var offset = header.BodyOffset;
        Need(payload, offset, 8);
        var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[offset..]);
        var fields = (SampleFields)BinaryPrimitives.ReadUInt32LittleEndian(payload[(offset + 4)..]);
        offset += 8;
        if (count < 0 || (fields & ~SampleFields.All) != 0 || (fields & SampleFields.Required) != SampleFields.Required)
        {
            throw new InvalidDataException($"samples record with count {count} and fields 0x{(uint)fields:x}");
        }

        var bytes = 0L;
        for (var bit = 0; bit < ElementSize.Length; bit++)
        {
            if (((uint)fields & (1u << bit)) != 0)
            {
                bytes += (long)ElementSize[bit] * count;
            }
        }

        if (offset + bytes != payload.Length)
        {
            throw new InvalidDataException($"samples record of {count} rows needs {offset + bytes} bytes, has {payload.Length}");
        }

        return (count, fields, offset);
    }

    /// <summary>The sequence column of a samples payload (the first column).</summary>
    public static ReadOnlySpan<ulong> Sequences(ReadOnlySpan<byte> payload, in PayloadHeader header)
    {
        var (count, _, offset) = ReadSamplesShape(payload, header);
        return MemoryMarshal.Cast<byte, ulong>(payload.Slice(offset, count * 8));
    }

    /// <summary>Sequence range, row count and clock range (<see cref="SampleColumns.NoTime"/> when none) of a samples payload.</summary>
    public static SamplesSummary Summarize(ReadOnlySpan<byte> payload, in PayloadHeader header)
    {
        var (count, fields, offset) = ReadSamplesShape(payload, header);
        var sequences = MemoryMarshal.Cast<byte, ulong>(payload.Slice(offset, count * 8));
        var min = long.MaxValue;
        var max = long.MinValue;
        if ((fields & SampleFields.TimeUnixNs) != 0)
        {
            foreach (var t in MemoryMarshal.Cast<byte, long>(payload.Slice(offset + (count * 8), count * 8)))
            {
                if (t != SampleColumns.NoTime)
                {
                    min = Math.Min(min, t);
                    max = Math.Max(max, t);
                }
            }
        }

        return count == 0
            ? new SamplesSummary(0, 0, 0, SampleColumns.NoTime, SampleColumns.NoTime)
            : new SamplesSummary(sequences[0], sequences[^1], count, min == long.MaxValue ? SampleColumns.NoTime : min, max == long.MinValue ? SampleColumns.NoTime : max);
    }

    /// <summary>Decodes the rows of a samples payload whose sequence is above <paramref name="after"/> into <paramref name="target"/>.</summary>
    public static void DecodeSamples(ReadOnlySpan<byte> payload, in PayloadHeader header, ulong after, SampleColumns target)
    {
        var (count, fields, offset) = ReadSamplesShape(payload, header);
        var sequences = MemoryMarshal.Cast<byte, ulong>(payload.Slice(offset, count * 8));
        var skip = 0;
        while (skip < count && sequences[skip] <= after)
        {
            skip++;
        }

        var n = count - skip;
        target.Clear();
        target.EnsureCapacity(n);
        target.Count = n;
        target.Fields = fields;
        Read(payload, ref offset, fields, SampleFields.Sequence, target.Sequence, count, skip);
        Read(payload, ref offset, fields, SampleFields.TimeUnixNs, target.TimeUnixNs, count, skip);
        Read(payload, ref offset, fields, SampleFields.TestTime, target.TestTime, count, skip);
        Read(payload, ref offset, fields, SampleFields.Cycle, target.Cycle, count, skip);
        Read(payload, ref offset, fields, SampleFields.Step, target.Step, count, skip);
        Read(payload, ref offset, fields, SampleFields.StepType, target.StepType, count, skip);
        Read(payload, ref offset, fields, SampleFields.Current, target.Current, count, skip);
        Read(payload, ref offset, fields, SampleFields.Voltage, target.Voltage, count, skip);
        Read(payload, ref offset, fields, SampleFields.Temperature, target.Temperature, count, skip);
        Read(payload, ref offset, fields, SampleFields.ChargeCapacity, target.ChargeCapacity, count, skip);
        Read(payload, ref offset, fields, SampleFields.DischargeCapacity, target.DischargeCapacity, count, skip);
        Read(payload, ref offset, fields, SampleFields.ChargeEnergy, target.ChargeEnergy, count, skip);
        Read(payload, ref offset, fields, SampleFields.DischargeEnergy, target.DischargeEnergy, count, skip);
        Read(payload, ref offset, fields, SampleFields.SourceRow, target.SourceRow, count, skip);
    }

    public static (string Kind, byte[] Data) DecodeAttachment(ReadOnlySpan<byte> payload, in PayloadHeader header)
    {
        var offset = header.BodyOffset;
        var kind = ReadString(payload, ref offset);
        Need(payload, offset, 4);
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[offset..]);
        offset += 4;
        if (length < 0 || offset + length != payload.Length)
        {
            throw new InvalidDataException($"attachment '{kind}' declares {length} bytes, payload holds {payload.Length - offset}");
        }

        return (kind, payload.Slice(offset, length).ToArray());
    }

    private static void Column<T>(PayloadBuffer buffer, SampleFields fields, SampleFields field, T[] column, int start, int count)
        where T : unmanaged
    {
        if ((fields & field) != 0)
        {
            buffer.Raw(MemoryMarshal.AsBytes(column.AsSpan(start, count)));
        }
    }

    private static void Read<T>(ReadOnlySpan<byte> payload, ref int offset, SampleFields fields, SampleFields field, T[] column, int count, int skip)
        where T : unmanaged
    {
        if ((fields & field) == 0)
        {
            return;
        }

        var size = Unsafe.SizeOf<T>();
        MemoryMarshal.Cast<byte, T>(payload.Slice(offset + (skip * size), (count - skip) * size)).CopyTo(column);
        offset += count * size;
    }

    private static string ReadString(ReadOnlySpan<byte> payload, ref int offset)
    {
        Need(payload, offset, 2);
        var length = BinaryPrimitives.ReadUInt16LittleEndian(payload[offset..]);
        offset += 2;
        Need(payload, offset, length);
        var s = Encoding.UTF8.GetString(payload.Slice(offset, length));
        offset += length;
        return s;
    }

    private static void Need(ReadOnlySpan<byte> payload, int offset, int bytes)
    {
        if (offset + bytes > payload.Length)
        {
            throw new InvalidDataException($"payload ends at byte {payload.Length}, a field needs bytes {offset}..{offset + bytes}");
        }
    }
}
