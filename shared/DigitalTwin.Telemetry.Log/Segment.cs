// Segment files of the log: a 24-byte header, then records [u32 length][u32 CRC-32C][u64 position][payload].
// The scanner verifies every record and says exactly where and why a segment stops being valid.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DigitalTwin.Telemetry.Log;

internal sealed class Segment : IDisposable
{
    public const int HeaderBytes = 24;
    public const int RecordHeaderBytes = 16;
    public const int FormatVersion = 1;
    public const string Extension = ".seg";

    private static ReadOnlySpan<byte> Magic => "DTWINLOG"u8;

    private Segment(int index, long firstPosition, string path, SafeFileHandle readHandle)
    {
        Index = index;
        FirstPosition = firstPosition;
        Path = path;
        ReadHandle = readHandle;
    }

    /// <summary>Position in the log's list of segments.</summary>
    public int Index { get; }

    /// <summary>Position of the first record; also the file name.</summary>
    public long FirstPosition { get; }

    public string Path { get; }

    /// <summary>Shared handle for positional reads (pread), safe from any thread.</summary>
    public SafeFileHandle ReadHandle { get; }

    public static string FileName(long firstPosition) => $"{firstPosition:D20}{Extension}";

    public static Segment OpenExisting(int index, long firstPosition, string path) =>
        new(index, firstPosition, path, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    /// <summary>Creates the file with its header, makes it and its directory entry durable, and opens it.</summary>
    public static (Segment Segment, SafeFileHandle WriteHandle) Create(int index, string directory, long firstPosition)
    {
        var path = System.IO.Path.Combine(directory, FileName(firstPosition));
        var write = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        Span<byte> header = stackalloc byte[HeaderBytes];
        WriteHeader(header, firstPosition);
        RandomAccess.Write(write, header, 0);
        RandomAccess.FlushToDisk(write);
        DirectorySync.Flush(directory);
        return (OpenExisting(index, firstPosition, path), write);
    }

    public static SafeFileHandle OpenForAppend(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    public static void WriteHeader(Span<byte> header, long firstPosition)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], firstPosition);
    }

    /// <summary>The record header for a payload: length, CRC over payload + length + position, position.</summary>
    public static void WriteRecordHeader(Span<byte> header, int payloadLength, uint payloadCrc, long position)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], position);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], RecordCrc(payloadCrc, payloadLength, position));
    }

    public static uint RecordCrc(uint payloadCrc, int payloadLength, long position)
    {
        Span<byte> tail = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, (uint)payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(tail[4..], position);
        return Crc32C.Append(payloadCrc, tail);
    }

    /// <summary>Reads and verifies one record's payload (the index says where it is).</summary>
    public byte[] ReadPayload(long offset, int payloadLength, long position)
    {
        var buffer = new byte[RecordHeaderBytes + payloadLength];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(ReadHandle, buffer.AsSpan(read), offset + read);
            if (n == 0)
            {
                throw new LogCorruptException($"{Path}: record at byte {offset} ends at byte {offset + read}, before its {payloadLength}-byte payload");
            }

            read += n;
        }

        var payload = buffer.AsSpan(RecordHeaderBytes);
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
        if (RecordCrc(Crc32C.Compute(payload), payloadLength, position) != stored)
        {
            throw new LogCorruptException($"{Path}: record {position} at byte {offset} fails its CRC-32C check");
        }

        return payload.ToArray();
    }

    public void Dispose() => ReadHandle.Dispose();
}

/// <summary>Reads a segment front to back, verifying each record, and reports where valid data ends.</summary>
internal sealed class SegmentScanner(SafeFileHandle handle, string path, int maxRecordBytes)
{
    private byte[] _buffer = new byte[1 << 20];
    private long _bufferStart;
    private int _bufferLength;

    /// <summary>Offset just after the last valid record.</summary>
    public long ValidEnd { get; private set; } = Segment.HeaderBytes;

    /// <summary>Why scanning stopped before the end of the file; null when the whole file is valid.</summary>
    public string? StopReason { get; private set; }

    public long FileLength { get; } = RandomAccess.GetLength(handle);

    /// <summary>Checks the segment header; false (with StopReason) when it is missing, torn or foreign.</summary>
    public bool ReadHeader(long expectedFirstPosition)
    {
        Span<byte> header = stackalloc byte[Segment.HeaderBytes];
        var n = RandomAccess.Read(handle, header, 0);
        if (n < Segment.HeaderBytes)
        {
            StopReason = $"{path}: the {Segment.HeaderBytes}-byte segment header is torn ({n} bytes)";
            ValidEnd = 0;
            return false;
        }

        if (!header[..8].SequenceEqual("DTWINLOG"u8) || BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != Segment.FormatVersion
            || BinaryPrimitives.ReadInt64LittleEndian(header[16..]) != expectedFirstPosition)
        {
            StopReason = $"{path}: not a version-{Segment.FormatVersion} segment starting at position {expectedFirstPosition}";
            ValidEnd = 0;
            return false;
        }

        return true;
    }

    /// <summary>Calls <paramref name="onRecord"/>(offset, position, payload) for each valid record, in order.</summary>
    public void Scan(long firstPosition, RecordHandler onRecord)
    {
        var offset = (long)Segment.HeaderBytes;
        var position = firstPosition;
        while (offset < FileLength)
        {
            if (FileLength - offset < Segment.RecordHeaderBytes)
            {
                StopReason = $"{path}: torn record header at byte {offset} ({FileLength - offset} of {Segment.RecordHeaderBytes} bytes)";
                return;
            }

            var header = Window(offset, Segment.RecordHeaderBytes);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            var storedPosition = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            if (length > (uint)maxRecordBytes)
            {
                StopReason = $"{path}: record at byte {offset} declares {length} bytes (limit {maxRecordBytes})";
                return;
            }

            if (offset + Segment.RecordHeaderBytes + length > FileLength)
            {
                StopReason = $"{path}: torn record at byte {offset}: {FileLength - offset - Segment.RecordHeaderBytes} of {length} payload bytes";
                return;
            }

            var payload = Window(offset + Segment.RecordHeaderBytes, (int)length);
            if (Segment.RecordCrc(Crc32C.Compute(payload), (int)length, storedPosition) != stored)
            {
                StopReason = $"{path}: record at byte {offset} fails its CRC-32C check";
                return;
            }

            if (storedPosition != position)
            {
                StopReason = $"{path}: record at byte {offset} has position {storedPosition}, expected {position}";
                return;
            }

            onRecord(offset, position, payload);
            offset += Segment.RecordHeaderBytes + length;
            position++;
            ValidEnd = offset;
        }
    }

    private ReadOnlySpan<byte> Window(long offset, int length)
    {
        if (offset < _bufferStart || offset + length > _bufferStart + _bufferLength)
        {
            if (length > _buffer.Length)
            {
                _buffer = new byte[length];
            }

            _bufferStart = offset;
            _bufferLength = 0;
            while (_bufferLength < _buffer.Length)
            {
                var n = RandomAccess.Read(handle, _buffer.AsSpan(_bufferLength), offset + _bufferLength);
                if (n == 0)
                {
                    break;
                }

                _bufferLength += n;
            }
        }

        return _buffer.AsSpan((int)(offset - _bufferStart), length);
    }
}

internal delegate void RecordHandler(long offset, long position, ReadOnlySpan<byte> payload);

/// <summary>The log found damage it must not repair by itself (anywhere but the torn tail of the last segment).</summary>
public sealed class LogCorruptException(string message) : IOException(message);

/// <summary>fsync of a directory, so a new segment's directory entry survives a crash (POSIX only).</summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to make a new segment durable (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
