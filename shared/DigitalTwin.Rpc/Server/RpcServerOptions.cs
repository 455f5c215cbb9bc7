// Server-wide settings for every mapped service: message size limits, response compression, error detail.
using System.IO.Compression;

namespace DigitalTwin.Rpc;

public sealed class RpcServerOptions
{
    /// <summary>Largest request message accepted, in bytes (after decompression); null = no limit. Default 4 MiB, as in gRPC.</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes; null = no limit (the gRPC default).</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>"gzip" or "deflate" to compress responses to clients that accept it; null = never compress.</summary>
    public string? ResponseCompression { get; set; }

    /// <summary>Level used when compressing responses.</summary>
    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Put the exception message of a failing handler into the status detail (off: a fixed text).</summary>
    public bool EnableDetailedErrors { get; set; }
}
