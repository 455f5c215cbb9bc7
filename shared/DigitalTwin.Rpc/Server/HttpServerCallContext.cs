// One server call on Kestrel: parses the call headers, reads length-prefixed request messages from the
// request PipeReader, serializes responses straight into the response PipeWriter and ends the call with
// trailers (or a trailers-only response when nothing was sent yet).
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using DigitalTwin.Rpc.Protocol;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace DigitalTwin.Rpc.Server;

internal sealed class HttpServerCallContext : ServerCallContext, IDisposable
{
    /// <summary>Largest serialized size written with one GetSpan; bigger messages go through the IBufferWriter path.</summary>
    private const int DirectWriteLimit = 16 * 1024;

    /// <summary>CancelAfter accepts at most uint.MaxValue - 1 ms (≈ 49.7 days); longer deadlines never fire here.</summary>
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    private static readonly string[] StatusStrings = CreateStatusStrings();

    private readonly HttpContext _httpContext;
    private readonly IMethod _method;
    private readonly ServerRuntime _runtime;
    private CancellationTokenSource? _deadlineCts;
    private CancellationToken _cancellationToken;
    private DateTime _deadline = DateTime.MaxValue;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private string? _peer;
    private string? _requestEncoding;
    private string? _responseEncoding;
    private bool _responseStarted;
    private bool _completed;
    private Status _status = Status.DefaultSuccess;

    public HttpServerCallContext(HttpContext httpContext, IMethod method, ServerRuntime runtime)
    {
        _httpContext = httpContext;
        _method = method;
        _runtime = runtime;
        _cancellationToken = httpContext.RequestAborted;
    }

    public HttpContext HttpContext => _httpContext;

    public override string Method => _method.FullName;

    public override string Peer => _peer ??= FormatPeer(_httpContext.Connection);

    public override DateTime Deadline => _deadline;

    public override CancellationToken CancellationToken => _cancellationToken;

    public override Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders(_httpContext.Request.Headers);

    public override Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    public override Status Status
    {
        get => _status;
        set => _status = value;
    }

    /// <summary>True once the deadline timer fired (as opposed to the client cancelling).</summary>
    public bool DeadlineExceeded => _deadlineCts is { IsCancellationRequested: true } && !_httpContext.RequestAborted.IsCancellationRequested;

    /// <summary>True once the handler returned; later writes are refused.</summary>
    public bool IsCompleted => _completed;

    /// <summary>Reads the call headers and prepares the response headers; false when an early error was sent.</summary>
    public bool Initialize()
    {
        var request = _httpContext.Request;
        var headers = request.Headers;

        var timeout = headers[GrpcProtocol.TimeoutHeader];
        if (timeout.Count > 0)
        {
            var text = timeout.ToString();
            if (!GrpcTimeout.TryParse(text, out var span))
            {
                ServerLog.InvalidTimeout(_runtime.Logger, Method, Peer, text);
                WriteTrailersOnly(new Status(StatusCode.Internal, $"Invalid grpc-timeout header '{text}'."));
                return false;
            }

            StartDeadline(span);
        }

        var encoding = headers[GrpcProtocol.EncodingHeader];
        if (encoding.Count > 0)
        {
            _requestEncoding = encoding.ToString();
        }

        var response = _httpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;
        var responseHeaders = response.Headers;
        responseHeaders[GrpcProtocol.AcceptEncodingHeader] = MessageCompression.AcceptEncodingValue;
        if (_runtime.ResponseCompression is { } compression
            && MessageCompression.Accepts(headers[GrpcProtocol.AcceptEncodingHeader].ToString(), compression))
        {
            _responseEncoding = compression;
            responseHeaders[GrpcProtocol.EncodingHeader] = compression;
        }

        // gRPC streams may run for hours and carry any amount of data; Kestrel's HTTP/1-era limits do not apply.
        if (_httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (_method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming
            && _httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            minRate.MinDataRate = null;
        }

        return true;
    }

    public override Task WriteResponseHeadersAsync(Metadata headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (_completed)
        {
            throw new InvalidOperationException("Response headers cannot be written after the call has completed.");
        }

        if (_responseStarted || _httpContext.Response.HasStarted)
        {
            throw new InvalidOperationException("Response headers can only be sent once per call, before the first response message.");
        }

        var responseHeaders = _httpContext.Response.Headers;
        foreach (var entry in headers)
        {
            MetadataWire.EnsureSendable(entry);
            responseHeaders.Append(entry.Key, MetadataWire.ToHeaderValue(entry));
        }

        _responseStarted = true;
        return _httpContext.Response.BodyWriter.FlushAsync(_cancellationToken).AsTask();
    }

    /// <summary>Reads the one request message of a unary or server-streaming call (the request must end after it).</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var reader = _httpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(_cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(_cancellationToken);
            }

            var buffer = result.Buffer;
            try
            {
                if (buffer.Length >= GrpcProtocol.MessageHeaderSize)
                {
                    var declared = CheckHeader(buffer);
                    if (buffer.Length > GrpcProtocol.MessageHeaderSize + declared)
                    {
                        throw ProtocolError(StatusCode.Internal, "Additional data after the request message; this method takes exactly one message.");
                    }
                }

                if (!result.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                if (buffer.IsEmpty)
                {
                    throw ProtocolError(StatusCode.Internal, "The request ended without a message; this method takes exactly one message.");
                }

                if (!TryParseMessage(ref buffer, parser, out var message))
                {
                    throw ProtocolError(StatusCode.Internal, "Incomplete message: the request ended inside a length-prefixed message.");
                }

                reader.AdvanceTo(buffer.End);
                return message;
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw;
            }
        }
    }

    /// <summary>Reads the next request message of a streaming call; null at the end of the request stream.</summary>
    public async ValueTask<T?> ReadNextMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var reader = _httpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            var buffer = result.Buffer;
            try
            {
                if (TryParseMessage(ref buffer, parser, out var message))
                {
                    reader.AdvanceTo(buffer.Start);
                    return message;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw ProtocolError(StatusCode.Internal, "Incomplete message: the request stream ended inside a length-prefixed message.");
                    }

                    reader.AdvanceTo(buffer.End);
                    return null;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw;
            }
        }
    }

    /// <summary>Serializes one response message into the response PipeWriter (not flushed).</summary>
    public void WriteMessage(IMessage message)
    {
        if (_completed)
        {
            throw new InvalidOperationException("Cannot write a response message after the call has completed.");
        }

        var size = message.CalculateSize();
        if (size > _runtime.MaxSendMessageSize)
        {
            throw new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({size} > {_runtime.MaxSendMessageSize} bytes)."));
        }

        var writer = _httpContext.Response.BodyWriter;
        _responseStarted = true;
        if (_responseEncoding is not null)
        {
            WriteCompressed(writer, message, size);
            return;
        }

        if (size <= DirectWriteLimit)
        {
            var span = writer.GetSpan(GrpcProtocol.MessageHeaderSize + size);
            span[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
            message.WriteTo(span.Slice(GrpcProtocol.MessageHeaderSize, size));
            writer.Advance(GrpcProtocol.MessageHeaderSize + size);
            return;
        }

        var header = writer.GetSpan(GrpcProtocol.MessageHeaderSize);
        header[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)size);
        writer.Advance(GrpcProtocol.MessageHeaderSize);
        message.WriteTo(writer);
    }

    public ValueTask<System.IO.Pipelines.FlushResult> FlushAsync(CancellationToken cancellationToken) =>
        _httpContext.Response.BodyWriter.FlushAsync(cancellationToken);

    /// <summary>Sends the final status: trailers after a response, or a trailers-only response.</summary>
    public void Complete(Status status, Metadata? extraTrailers)
    {
        _completed = true;
        if (_httpContext.RequestAborted.IsCancellationRequested)
        {
            return; // the stream is reset; nothing more reaches the client
        }

        if (!_responseStarted && !_httpContext.Response.HasStarted)
        {
            WriteTrailersOnly(status, extraTrailers);
            return;
        }

        var trailersFeature = _httpContext.Features.Get<IHttpResponseTrailersFeature>();
        if (trailersFeature is null)
        {
            return;
        }

        var trailers = trailersFeature.Trailers;
        trailers[GrpcProtocol.StatusTrailer] = StatusText(status.StatusCode);
        if (status.Detail.Length > 0)
        {
            trailers[GrpcProtocol.MessageTrailer] = PercentEncoding.Encode(status.Detail);
        }

        AppendMetadata(trailers, _responseTrailers);
        AppendMetadata(trailers, extraTrailers);
    }

    public void Dispose()
    {
        _deadlineCts?.Dispose();
    }

    /// <summary>Logs a protocol violation by the caller and returns the exception that ends the call.</summary>
    public RpcException ProtocolError(StatusCode code, string detail)
    {
        ServerLog.ProtocolError(_runtime.Logger, Method, Peer, code, detail);
        return new RpcException(new Status(code, detail));
    }

    internal static string StatusText(StatusCode code)
    {
        var value = (int)code;
        return (uint)value < (uint)StatusStrings.Length ? StatusStrings[value] : value.ToString(CultureInfo.InvariantCulture);
    }

    internal static string FormatPeer(ConnectionInfo connection)
    {
        var address = connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"ipv6:[{address}]:{connection.RemotePort}"
            : $"ipv4:{address}:{connection.RemotePort}";
    }

    private void WriteTrailersOnly(Status status, Metadata? extraTrailers = null)
    {
        var response = _httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        var headers = response.Headers;
        headers[GrpcProtocol.StatusTrailer] = StatusText(status.StatusCode);
        if (status.Detail.Length > 0)
        {
            headers[GrpcProtocol.MessageTrailer] = PercentEncoding.Encode(status.Detail);
        }

        AppendMetadata(headers, _responseTrailers);
        AppendMetadata(headers, extraTrailers);
    }

    private static void AppendMetadata(IHeaderDictionary target, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var entry in metadata)
        {
            if (GrpcProtocol.IsReservedHeader(entry.Key))
            {
                continue; // the runtime owns these keys; an application copy would corrupt the status
            }

            var value = MetadataWire.ToHeaderValue(entry);
            if (target.TryGetValue(entry.Key, out var existing))
            {
                target[entry.Key] = Microsoft.Extensions.Primitives.StringValues.Concat(existing, value);
            }
            else
            {
                target[entry.Key] = value;
            }
        }
    }

    private void StartDeadline(TimeSpan timeout)
    {
        var now = DateTime.UtcNow;
        _deadline = timeout.Ticks >= (DateTime.MaxValue - now).Ticks ? DateTime.MaxValue : now + timeout;
        if (timeout > MaxTimerDelay)
        {
            return;
        }

        _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(_httpContext.RequestAborted);
        _deadlineCts.CancelAfter(timeout);
        _cancellationToken = _deadlineCts.Token;
    }

    /// <summary>Validates a complete 5-byte header at the start of the buffer; returns the declared length.</summary>
    private uint CheckHeader(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[GrpcProtocol.MessageHeaderSize];
        buffer.Slice(0, GrpcProtocol.MessageHeaderSize).CopyTo(header);
        if (header[0] > 1)
        {
            throw ProtocolError(StatusCode.Internal, $"Invalid Compressed-Flag {header[0]}; it must be 0 or 1.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)_runtime.MaxReceiveMessageSize)
        {
            throw ProtocolError(
                StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {_runtime.MaxReceiveMessageSize} bytes).");
        }

        return length;
    }

    private bool TryParseMessage<T>(ref ReadOnlySequence<byte> buffer, MessageParser<T> parser, out T message)
        where T : class, IMessage<T>
    {
        message = null!;
        if (buffer.Length < GrpcProtocol.MessageHeaderSize)
        {
            return false;
        }

        var length = CheckHeader(buffer);
        if (buffer.Length - GrpcProtocol.MessageHeaderSize < length)
        {
            return false;
        }

        var compressed = buffer.FirstSpan[0] == 1;
        var payload = buffer.Slice(GrpcProtocol.MessageHeaderSize, length);
        message = compressed ? ParseCompressed(payload, parser) : Parse(payload, parser);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private T ParseCompressed<T>(in ReadOnlySequence<byte> payload, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        if (_requestEncoding is null || _requestEncoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
        {
            throw ProtocolError(StatusCode.Internal, "Message has the Compressed-Flag set but the request declares no grpc-encoding.");
        }

        var encoding = MessageCompression.Canonical(_requestEncoding);
        if (encoding is null)
        {
            throw ProtocolError(
                StatusCode.Unimplemented,
                $"Unsupported grpc-encoding '{_requestEncoding}'; this server accepts {MessageCompression.AcceptEncodingValue}.");
        }

        byte[] bytes;
        int length;
        try
        {
            bytes = MessageCompression.Decompress(encoding, payload, _runtime.MaxReceiveMessageSize, out length);
        }
        catch (RpcException ex)
        {
            throw ProtocolError(ex.StatusCode, ex.Status.Detail);
        }

        try
        {
            return parser.ParseFrom(bytes.AsSpan(0, length));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw ProtocolError(StatusCode.Internal, "Failed to deserialize request message: " + ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private T Parse<T>(in ReadOnlySequence<byte> payload, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        try
        {
            return payload.IsSingleSegment ? parser.ParseFrom(payload.FirstSpan) : parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw ProtocolError(StatusCode.Internal, "Failed to deserialize request message: " + ex.Message);
        }
    }

    private void WriteCompressed(System.IO.Pipelines.PipeWriter writer, IMessage message, int size)
    {
        var serialized = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            message.WriteTo(serialized.AsSpan(0, size));
            using var compressed = MessageCompression.Compress(_responseEncoding!, serialized.AsSpan(0, size), _runtime.CompressionLevel);
            var data = compressed.WrittenSpan;
            var header = writer.GetSpan(GrpcProtocol.MessageHeaderSize);
            header[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)data.Length);
            writer.Advance(GrpcProtocol.MessageHeaderSize);
            writer.Write(data);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(serialized);
        }
    }

    private static Metadata ReadRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata(headers.Count);
        foreach (var header in headers)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key))
            {
                continue;
            }

            var key = GrpcProtocol.LowerKey(header.Key);
            foreach (var value in header.Value)
            {
                if (value is not null)
                {
                    MetadataWire.AddFromWire(metadata, key, value);
                }
            }
        }

        return metadata;
    }

    private static string[] CreateStatusStrings()
    {
        var values = new string[17];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        return values;
    }
}
