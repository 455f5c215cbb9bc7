// Reads length-prefixed messages from the HTTP/2 response stream through one pooled buffer, so several
// small messages arriving together cost one stream read.
using System.Buffers;
using System.Buffers.Binary;
using DigitalTwin.Rpc.Protocol;

namespace DigitalTwin.Rpc.Client;

internal sealed class ResponseFrameReader
{
    private const int InitialSize = 16 * 1024;
    private byte[]? _buffer;
    private int _start;
    private int _end;

    public int Buffered => _end - _start;

    /// <summary>True when a whole frame is buffered; the payload is then at Payload(length).</summary>
    public bool TryPeekFrame(out byte flag, out uint length)
    {
        flag = 0;
        length = 0;
        if (_end - _start < GrpcProtocol.MessageHeaderSize)
        {
            return false;
        }

        var header = _buffer.AsSpan(_start, GrpcProtocol.MessageHeaderSize);
        flag = header[0];
        length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        return true;
    }

    public bool HasPayload(uint length) => (long)(_end - _start) - GrpcProtocol.MessageHeaderSize >= length;

    public ReadOnlySpan<byte> Payload(uint length) => _buffer.AsSpan(_start + GrpcProtocol.MessageHeaderSize, (int)length);

    public void Consume(uint length)
    {
        _start += GrpcProtocol.MessageHeaderSize + (int)length;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Reads once from the stream, making room for a frame of <paramref name="needed"/> bytes in total; 0 = end of stream.</summary>
    public async ValueTask<int> FillAsync(Stream stream, int needed, CancellationToken cancellationToken)
    {
        EnsureCapacity(needed);
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read;
    }

    public void Release()
    {
        var buffer = _buffer;
        _buffer = null;
        _start = _end = 0;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureCapacity(int needed)
    {
        needed = Math.Max(needed, GrpcProtocol.MessageHeaderSize);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(InitialSize, needed));
            return;
        }

        if (_buffer.Length - _start >= needed && _end < _buffer.Length)
        {
            return;
        }

        var buffered = _end - _start;
        if (_buffer.Length >= needed && buffered < _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, buffered);
        }
        else
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            Buffer.BlockCopy(_buffer, _start, larger, 0, buffered);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        _start = 0;
        _end = buffered;
    }
}
