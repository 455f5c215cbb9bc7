// Public shapes of the telemetry log: options, sources, acknowledgements, recovery report and read items.
namespace DigitalTwin.Telemetry.Log;

public sealed record TelemetryLogOptions
{
    /// <summary>Folder holding the segment files; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>A new segment is started once the current one reaches this size [bytes].</summary>
    public long SegmentBytes { get; init; } = 256L << 20;

    /// <summary>Largest amount written by one gathered write [bytes].</summary>
    public int MaxGroupBytes { get; init; } = 8 << 20;

    /// <summary>
    /// Written bytes allowed to wait for the flusher's fsync before the writer waits (bounds acknowledgement latency;
    /// the data is in the page cache, not in the process) [bytes].
    /// </summary>
    public long MaxUnflushedBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Records waiting for the writer before producers wait (back-pressure) [count]. With the group being written this
    /// bounds the payloads in memory: about (capacity + a group) × one batch (8192 rows ≈ 0.9 MB).
    /// </summary>
    public int QueueCapacity { get; init; } = 8;

    /// <summary>Largest record accepted; a larger length in a file is treated as damage [bytes].</summary>
    public int MaxRecordBytes { get; init; } = 64 << 20;
}

/// <summary>Who produced samples: (SourceId, sequence) identifies a sample; CellId and SourceFile describe it.</summary>
public readonly record struct SampleSource(string SourceId, string CellId, string SourceFile);

/// <summary>
/// The answer to a write once it is durable: the record's log position, the source's highest durable sequence,
/// samples appended, and samples skipped because their sequence was already stored.
/// </summary>
public sealed record AppendResult(long Position, ulong LastDurableSequence, long Accepted, long Duplicates);

/// <summary>Where a source stands in the log.</summary>
public sealed record SourceStatus(string SourceId, string CellId, string SourceFile, ulong LastDurableSequence, long Samples, long LastSampleTimeNs, long LastPosition);

/// <summary>What opening the log found: segments and records read, and any torn tail that was cut off.</summary>
public sealed record RecoveryReport(int Segments, long Records, long Bytes, long TruncatedBytes, string? TruncationReason, TimeSpan Elapsed);

/// <summary>
/// One delivery of <see cref="TelemetryLog.SubscribeAsync"/>: samples or an attachment of one source, at the log position
/// where they became durable. An upload's records share the position of its commit; LastOfPosition marks the last of them.
/// </summary>
public sealed record LogItem(long Position, SampleSource Source, SampleColumns? Samples, string? AttachmentKind, byte[]? Attachment, bool LastOfPosition);

/// <summary>A batch read back from one source, in sequence order.</summary>
public sealed record LogBatch(long Position, SampleSource Source, SampleColumns Samples);

/// <summary>The log stopped accepting writes after an I/O failure; reopening it recovers the durable prefix.</summary>
public sealed class LogFaultedException(string message, Exception? inner) : IOException(message, inner);

/// <summary>A location of one record, plus what the index needs to know about it without reading it.</summary>
internal readonly record struct RecordRef(int Segment, long Offset, int PayloadLength, long Position, SamplesSummary Summary);

/// <summary>A samples record as a source sees it: rows at or below After were duplicates when it was committed.</summary>
internal readonly record struct SourceEntry(RecordRef Record, ulong After, Commit Commit);

/// <summary>A point where records became visible: a live batch, or an upload's commit with all its records.</summary>
internal sealed class Commit(long position, SampleSource source, SourceEntry[] samples, RecordRef[] attachments)
{
    public long Position { get; } = position;

    public SampleSource Source { get; } = source;

    public SourceEntry[] Samples { get; set; } = samples;

    public RecordRef[] Attachments { get; } = attachments;
}

internal sealed class SourceState(string id)
{
    public string Id { get; } = id;

    public string CellId { get; set; } = string.Empty;

    public string SourceFile { get; set; } = string.Empty;

    /// <summary>Highest sequence decided by the writer (durable once its group is flushed); writer thread only.</summary>
    public ulong LastAssigned { get; set; }

    /// <summary>Highest durable sequence; read without the lock by producers for pre-filtering.</summary>
    public ulong LastDurable { get; set; }

    public long Samples { get; set; }

    public long LastTimeNs { get; set; } = SampleColumns.NoTime;

    public long LastPosition { get; set; }

    public List<SourceEntry> Entries { get; } = [];

    public List<Commit> Commits { get; } = [];

    public SourceStatus ToStatus() => new(Id, CellId, SourceFile, LastDurable, Samples, LastTimeNs, LastPosition);
}
