// What a caller may configure about reading: format, time zone, bad-input policy and limits.
namespace DigitalTwin.Telemetry;

/// <summary>What to do with a row that cannot be used as it stands.</summary>
public enum BadRowPolicy
{
    /// <summary>Reject the whole file, listing every problem found.</summary>
    RejectFile = 0,

    /// <summary>Skip the row, record a warning naming line and field, keep going.</summary>
    SkipRowAndWarn = 1,
}

public sealed record IngestOptions
{
    /// <summary>Reader name (see <see cref="Readers.ReaderRegistry"/>) or "auto" to detect from content.</summary>
    public string Format { get; init; } = "auto";

    /// <summary>IANA zone of local wall-clock times in the file; null means the file's clock is taken as UTC (with a warning).</summary>
    public string? TimeZone { get; init; }

    /// <summary>Policy for malformed rows, NaN/Inf, time going backwards and duplicated rows.</summary>
    public BadRowPolicy BadRows { get; init; } = BadRowPolicy.SkipRowAndWarn;

    /// <summary>Cell id to stamp on the data; null takes it from the file's metadata or name.</summary>
    public string? CellId { get; init; }

    /// <summary>Column-mapping file (JSON) for generic CSV input; see docs/ingest.md.</summary>
    public string? MappingFile { get; init; }

    /// <summary>Problems kept individually; beyond this they are counted per code.</summary>
    public int MaxStoredProblems { get; init; } = 10_000;

    /// <summary>Samples handed to the sink per call.</summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>|I| below this counts as zero current [A] when step types are inferred.</summary>
    public double RestCurrentThreshold { get; init; } = 1e-6;

    /// <summary>Width of the voltage bins of the dQ/dV curves [V].</summary>
    public double DqDvBinWidth { get; init; } = 0.01;

    /// <summary>A step no longer than this with current, entered from rest, counts as a pulse [s].</summary>
    public double PulseMaxDuration { get; init; } = 30.0;

    /// <summary>Threads that may parse rows of one file (tables with independent rows); 1 parses on the caller's thread only.</summary>
    public int ParseThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Hash the content (Provenance.Sha256); a caller that already hashes the bytes (the Ingest spool) turns it off.</summary>
    public bool ComputeSha256 { get; init; } = true;

    /// <summary>Reports progress as (bytes read, total bytes); may be null.</summary>
    public IProgress<(long Done, long Total)>? Progress { get; init; }

    public static IngestOptions Default { get; } = new();
}
