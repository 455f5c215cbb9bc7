// Client channel settings: message size limits, default request compression, TLS validation, transport.
using System.Net.Security;

namespace DigitalTwin.Rpc;

public sealed class RpcChannelOptions
{
    /// <summary>Largest response message accepted, in bytes (after decompression); null = no limit. Default 4 MiB, as in gRPC.</summary>
    public int? MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent, in bytes; null = no limit (the gRPC default).</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>"gzip" or "deflate" to compress request messages of every call; null = no compression.</summary>
    public string? RequestCompression { get; set; }

    /// <summary>Validates the server certificate for https:// addresses (null = the system's validation).</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>Transport to use instead of the channel's own SocketsHttpHandler (the caller keeps ownership).</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Initial HTTP/2 stream receive window in bytes; larger windows help big messages on fast links.</summary>
    public int InitialStreamWindowSize { get; set; } = 1024 * 1024;
}
