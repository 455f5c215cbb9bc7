// Names and fixed values of the gRPC over HTTP/2 wire protocol (grpc/grpc doc/PROTOCOL-HTTP2.md).
using System.Collections.Frozen;

namespace DigitalTwin.Rpc.Protocol;

internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string MessageTypeHeader = "grpc-message-type";
    public const string IdentityEncoding = "identity";
    public const string TeHeader = "te";
    public const string TeTrailers = "trailers";
    public const string UserAgent = "grpc-dotnet-digitaltwin/0.1.0";

    /// <summary>Length-Prefixed-Message header: 1 byte Compressed-Flag + 4 byte big-endian length.</summary>
    public const int MessageHeaderSize = 5;

    /// <summary>The gRPC default receive limit (4 MiB) used by every mainstream implementation.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Whether a content-type is a gRPC protobuf one: application/grpc, application/grpc+proto, with optional parameters.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = contentType.AsSpan(ContentType.Length);
        if (rest.IsEmpty || rest[0] == ';')
        {
            return true;
        }

        if (rest[0] != '+')
        {
            return false;
        }

        var subtype = rest[1..];
        var semicolon = subtype.IndexOf(';');
        if (semicolon >= 0)
        {
            subtype = subtype[..semicolon];
        }

        return subtype.Trim().Equals("proto", StringComparison.OrdinalIgnoreCase);
    }

    private static readonly FrozenSet<string> ReservedHeaders = new[]
    {
        "content-type", "content-length", "te", "host", "transfer-encoding", "connection", "keep-alive", "upgrade",
        TimeoutHeader, EncodingHeader, AcceptEncodingHeader, StatusTrailer, MessageTrailer, MessageTypeHeader,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Header keys the runtime or HTTP owns (any case); they never appear in application metadata.</summary>
    public static bool IsReservedHeader(string key) => key.Length == 0 || key[0] == ':' || ReservedHeaders.Contains(key);

    /// <summary>The key in lower case, without allocating when it already is.</summary>
    public static string LowerKey(string key)
    {
        foreach (var c in key)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return key.ToLowerInvariant();
            }
        }

        return key;
    }

    /// <summary>RST_STREAM error code → gRPC status (PROTOCOL-HTTP2.md, Errors).</summary>
    public static StatusCode StatusFromHttp2Error(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable, // REFUSED_STREAM: nothing was processed, safe to retry elsewhere
        0x8 => StatusCode.Cancelled, // CANCEL
        0xb => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xc => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };

    /// <summary>Non-200 HTTP status → gRPC status (grpc/grpc doc/http-grpc-status-mapping.md).</summary>
    public static StatusCode StatusFromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
