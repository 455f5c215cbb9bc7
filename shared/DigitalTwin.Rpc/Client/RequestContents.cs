// HTTP request bodies of client calls: one pre-framed message (unary, server streaming) or a body the
// call writes to while it runs (client streaming, duplex).
using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using DigitalTwin.Rpc.Protocol;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Client;

/// <summary>Serializes request messages into pooled, length-prefixed frames.</summary>
internal static class RequestFraming
{
    /// <summary>Frames a message into a pooled array (return it to ArrayPool.Shared); throws RESOURCE_EXHAUSTED past maxSize.</summary>
    public static byte[] Frame(IMessage message, string? compression, int maxSize, out int length)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({size} > {maxSize} bytes)."));
        }

        if (compression is null)
        {
            var framed = ArrayPool<byte>.Shared.Rent(GrpcProtocol.MessageHeaderSize + size);
            framed[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)size);
            message.WriteTo(framed.AsSpan(GrpcProtocol.MessageHeaderSize, size));
            length = GrpcProtocol.MessageHeaderSize + size;
            return framed;
        }

        var serialized = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            message.WriteTo(serialized.AsSpan(0, size));
            using var compressed = MessageCompression.Compress(compression, serialized.AsSpan(0, size), System.IO.Compression.CompressionLevel.Fastest);
            var data = compressed.WrittenSpan;
            var framed = ArrayPool<byte>.Shared.Rent(GrpcProtocol.MessageHeaderSize + data.Length);
            framed[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)data.Length);
            data.CopyTo(framed.AsSpan(GrpcProtocol.MessageHeaderSize));
            length = GrpcProtocol.MessageHeaderSize + data.Length;
            return framed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(serialized);
        }
    }
}

/// <summary>A body of one framed message in a pooled array, returned when the request is disposed and not being sent.</summary>
internal sealed class FramedMessageContent : HttpContent
{
    private const int Idle = 0;
    private const int Sending = 1;
    private const int Disposed = 2;

    private readonly byte[] _buffer;
    private readonly int _length;
    private int _state;

    public FramedMessageContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // The handler may send a request twice (e.g. after a refused stream), so the array stays until Dispose.
        ObjectDisposedException.ThrowIf(Interlocked.CompareExchange(ref _state, Sending, Idle) != Idle, this);
        try
        {
            await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Sending) == Disposed)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        // gRPC requests carry no content-length; the stream ends with END_STREAM.
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _state, Disposed) == Idle)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        base.Dispose(disposing);
    }
}

/// <summary>A request body that stays open while the call writes messages; Complete ends it (END_STREAM).</summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent()
    {
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    /// <summary>The HTTP/2 request stream, once the handler starts sending the body.</summary>
    public Task<Stream> StreamTask => _stream.Task;

    public void Complete() => _complete.TrySetResult();

    public void Abort()
    {
        _stream.TrySetCanceled();
        _complete.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        _stream.TrySetResult(stream);
        return _complete.Task;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
