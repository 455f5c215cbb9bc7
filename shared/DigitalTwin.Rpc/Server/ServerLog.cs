// Server log lines, one per hostile or failed call, as source-generated LoggerMessage methods (no boxing).
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Rpc.Server;

internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Warning, "gRPC protocol error on {Method} from {Peer}: {StatusCode} {Detail}")]
    public static partial void ProtocolError(ILogger logger, string method, string peer, StatusCode statusCode, string detail);

    [LoggerMessage(2, LogLevel.Warning, "Rejected {Path} from {Peer}: unsupported content-type '{ContentType}' (HTTP 415)")]
    public static partial void UnsupportedContentType(ILogger logger, string path, string peer, string? contentType);

    [LoggerMessage(3, LogLevel.Information, "Unimplemented gRPC method {Path} called from {Peer}")]
    public static partial void Unimplemented(ILogger logger, string path, string peer);

    [LoggerMessage(4, LogLevel.Error, "gRPC handler for {Method} threw")]
    public static partial void HandlerError(ILogger logger, string method, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "gRPC call {Method} from {Peer} was cancelled by the client")]
    public static partial void CallCancelled(ILogger logger, string method, string peer);

    [LoggerMessage(6, LogLevel.Debug, "gRPC call {Method} from {Peer} exceeded its deadline")]
    public static partial void DeadlineExceeded(ILogger logger, string method, string peer);

    [LoggerMessage(7, LogLevel.Warning, "Rejected {Path} from {Peer}: protocol {Protocol} is not HTTP/2")]
    public static partial void NotHttp2(ILogger logger, string path, string peer, string protocol);

    [LoggerMessage(8, LogLevel.Warning, "gRPC call {Method} from {Peer} sent an invalid grpc-timeout '{Value}'")]
    public static partial void InvalidTimeout(ILogger logger, string method, string peer, string value);
}
