// Hand-made HTTP/2 requests for the hostile cases: any bytes, headers, content type or method, sent with
// HttpClient so the test controls exactly what the server sees.
using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Tests.Support;

public sealed record RawResponse(int HttpStatus, HttpResponseHeaders Headers, string? ContentType, byte[] Body, HttpResponseHeaders Trailers)
{
    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
    public StatusCode? GrpcStatus => Value("grpc-status") is { } text ? (StatusCode)int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;

    public string? GrpcMessage => Value("grpc-message");

    /// <summary>True when the status came in the one header block and no body was sent.</summary>
    public bool IsTrailersOnly => Headers.Contains("grpc-status") && Body.Length == 0 && !Trailers.Contains("grpc-status");

    public string? Value(string name) =>
        Trailers.TryGetValues(name, out var t) ? string.Join(",", t)
        : Headers.TryGetValues(name, out var h) ? string.Join(",", h)
        : null;

    public override string ToString() =>
        $"HTTP {HttpStatus}, content-type {ContentType}, grpc-status {GrpcStatus}, grpc-message {GrpcMessage}, body {Body.Length} bytes";
}

public static class RawGrpc
{
    public static byte[] Frame(IMessage message, byte flag = 0) => Frame(message.ToByteArray(), flag);

    public static byte[] Frame(byte[] payload, byte flag = 0)
    {
        var framed = new byte[5 + payload.Length];
        framed[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    public static HttpMessageInvoker CreateInvoker(SocketsHttpHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler { UseProxy = false }, disposeHandler: true);

    public static async Task<RawResponse> SendAsync(
        HttpMessageInvoker invoker,
        Uri address,
        string path,
        byte[] body,
        string? contentType = "application/grpc",
        IEnumerable<(string Name, string Value)>? headers = null,
        HttpMethod? method = null,
        Version? version = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(address, path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (method != HttpMethod.Get)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.Remove("Content-Type");
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await invoker.SendAsync(request, CancellationToken.None);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new RawResponse(
            (int)response.StatusCode,
            response.Headers,
            response.Content.Headers.ContentType?.ToString(),
            bytes,
            response.TrailingHeaders);
    }
}
