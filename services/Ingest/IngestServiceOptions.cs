// Settings of the Ingest service, bound from the "Ingest" configuration section (appsettings, environment
// variables Ingest__Key, or --Ingest:Key=value on the command line).
namespace DigitalTwin.Services.Ingest;

public sealed class IngestServiceOptions
{
    public const string Section = "Ingest";

    /// <summary>Folder of the durable log (segments) and the upload spool.</summary>
    public string DataDirectory { get; set; } = "artifacts/ingest";

    /// <summary>Keys accepted in the x-api-key header; at least one is required.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Whether reads (ReadSamples, Subscribe, status, cycles) need a key too.</summary>
    public bool RequireKeyForReads { get; set; }

    /// <summary>Address to listen on (loopback by default).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>gRPC port (HTTP/2 cleartext, prior knowledge); 0 picks a free port.</summary>
    public int GrpcPort { get; set; } = 5107;

    /// <summary>HTTP/1.1 port for uploads with curl or a browser; 0 picks a free port.</summary>
    public int HttpPort { get; set; } = 5108;

    /// <summary>IANA zone for files with local wall-clock times when the upload names none.</summary>
    public string? DefaultTimeZone { get; set; }

    /// <summary>Bad-row policy when the upload names none: "skip" or "reject".</summary>
    public string DefaultPolicy { get; set; } = "skip";

    /// <summary>Largest upload accepted [bytes].</summary>
    public long MaxUploadBytes { get; set; } = 16L << 30;

    /// <summary>Largest gRPC message accepted (a sample batch or a file chunk) [bytes].</summary>
    public int MaxMessageBytes { get; set; } = 16 << 20;

    /// <summary>
    /// Threads that parse one upload's rows (formats with independent rows): by default all cores but two, which stay
    /// with the transport's receive loop and the log's writer (on two cores the receive starves behind a wider parse).
    /// </summary>
    public int ParseThreads { get; set; } = Math.Max(1, Environment.ProcessorCount - 2);

    /// <summary>A new log segment starts at this size [bytes].</summary>
    public long SegmentBytes { get; set; } = 256L << 20;
}
