// Settings of the InfluxDB store: where, which API (v1 /write + /query, or v2 /api/v2/write with
// a token), and how hard to try: batch size, retries with backoff, the bounded on-disk buffer.
namespace DigitalTwin.TimeSeries.Influx;

public enum InfluxApi
{
    /// <summary>InfluxDB 1.x: POST /write?db=..&amp;rp=.., optional user/password.</summary>
    V1,

    /// <summary>InfluxDB 2.x (or 1.8+ compatibility): POST /api/v2/write?org=..&amp;bucket=.. with "Authorization: Token ..".</summary>
    V2,
}

public sealed record InfluxDbOptions
{
    /// <summary>Base address, e.g. http://127.0.0.1:8086.</summary>
    public required Uri Endpoint { get; init; }

    public InfluxApi Api { get; init; } = InfluxApi.V1;

    /// <summary>v1 database; also the database /query reads (for v2, the bucket's DBRP mapping).</summary>
    public string Database { get; init; } = "digitaltwin";

    /// <summary>v1 retention policy; null = the database default.</summary>
    public string? RetentionPolicy { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }

    public string? Organization { get; init; }

    public string? Bucket { get; init; }

    public string? Token { get; init; }

    /// <summary>v1: create the database when a write answers "database not found".</summary>
    public bool CreateDatabase { get; init; } = true;

    /// <summary>Folder of the on-disk buffer; segments left by a previous process are sent first.</summary>
    public required string BufferDirectory { get; init; }

    /// <summary>Upper bound of the on-disk buffer; writers wait (never drop) when it is full.</summary>
    public long MaxBufferBytes { get; init; } = 256L << 20;

    /// <summary>Largest request body (one segment); InfluxDB 1.x refuses bodies over 25 MB by default.</summary>
    public int MaxSegmentBytes { get; init; } = 4 << 20;

    /// <summary>Segments kept in memory as well as on disk, so the sender rarely reads a file back.</summary>
    public long MaxMemoryBytes { get; init; } = 64L << 20;

    public int MaxConcurrentRequests { get; init; } = 2;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long DisposeAsync waits for the buffer to drain; the rest stays on disk for the next start.</summary>
    public TimeSpan DrainOnDispose { get; init; } = TimeSpan.FromSeconds(10);

    public bool Gzip { get; init; }

    /// <summary>fsync every segment before WriteAsync returns (survives power loss, costs throughput).</summary>
    public bool SyncSegments { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        var problems = new List<string>();
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"Endpoint '{Endpoint}' must be an absolute http(s) address");
        }

        if (Api == InfluxApi.V1 && string.IsNullOrWhiteSpace(Database))
        {
            problems.Add("Database is required for the v1 API");
        }

        if (Api == InfluxApi.V2 && (string.IsNullOrWhiteSpace(Organization) || string.IsNullOrWhiteSpace(Bucket) || string.IsNullOrWhiteSpace(Token)))
        {
            problems.Add("Organization, Bucket and Token are required for the v2 API");
        }

        if (string.IsNullOrWhiteSpace(BufferDirectory))
        {
            problems.Add("BufferDirectory is required");
        }

        if (MaxSegmentBytes < 1024 || MaxBufferBytes < MaxSegmentBytes)
        {
            problems.Add($"MaxSegmentBytes {MaxSegmentBytes} must be ≥ 1024 and ≤ MaxBufferBytes {MaxBufferBytes}");
        }

        if (MaxConcurrentRequests < 1 || InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff || RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add("MaxConcurrentRequests ≥ 1, 0 < InitialBackoff ≤ MaxBackoff and RequestTimeout > 0 are required");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid InfluxDB options: " + string.Join("; ", problems) + ".");
        }
    }
}
