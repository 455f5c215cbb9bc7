// The resolved server settings and logger shared by all call handlers of one host.
using System.IO.Compression;
using DigitalTwin.Rpc.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DigitalTwin.Rpc.Server;

internal sealed class ServerRuntime
{
    public ServerRuntime(IOptions<RpcServerOptions> options, ILoggerFactory loggerFactory)
    {
        var value = options.Value;
        if (value.MaxReceiveMessageSize is < 0)
        {
            throw new ArgumentException($"RpcServerOptions.MaxReceiveMessageSize must be ≥ 0 or null, got {value.MaxReceiveMessageSize}.", nameof(options));
        }

        if (value.MaxSendMessageSize is < 0)
        {
            throw new ArgumentException($"RpcServerOptions.MaxSendMessageSize must be ≥ 0 or null, got {value.MaxSendMessageSize}.", nameof(options));
        }

        var compression = MessageCompression.Canonical(value.ResponseCompression);
        if (value.ResponseCompression is { Length: > 0 } && (compression is null || compression == GrpcProtocol.IdentityEncoding))
        {
            throw new ArgumentException($"RpcServerOptions.ResponseCompression '{value.ResponseCompression}' is not supported; use \"gzip\", \"deflate\" or null.", nameof(options));
        }

        MaxReceiveMessageSize = value.MaxReceiveMessageSize ?? int.MaxValue;
        MaxSendMessageSize = value.MaxSendMessageSize ?? int.MaxValue;
        ResponseCompression = compression;
        CompressionLevel = value.ResponseCompressionLevel;
        EnableDetailedErrors = value.EnableDetailedErrors;
        Logger = loggerFactory.CreateLogger("DigitalTwin.Rpc.Server");
    }

    public int MaxReceiveMessageSize { get; }

    public int MaxSendMessageSize { get; }

    public string? ResponseCompression { get; }

    public CompressionLevel CompressionLevel { get; }

    public bool EnableDetailedErrors { get; }

    public ILogger Logger { get; }
}
