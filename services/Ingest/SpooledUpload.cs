// An upload's bytes written to a spool file as they arrive, hashed on the way (SHA-256). Readers get a seekable view
// that may run behind the transport: a read past what has arrived waits for more, so parsing overlaps receiving.
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace DigitalTwin.Services.Ingest;

internal sealed class SpooledUpload : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly long _maxBytes;
    private const int CopyBufferBytes = 256 << 10;
    private readonly object _gate = new();
    private long _written;
    private bool _complete;
    private Exception? _failure;
    private DateTime? _firstWrite;
    private DateTime _lastWrite = DateTime.UtcNow;

    private SpooledUpload(string path, long maxBytes)
    {
        Path = path;
        _maxBytes = maxBytes;
        _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, FileOptions.DeleteOnClose);
    }

    public string Path { get; }

    /// <summary>Bytes received so far.</summary>
    public long Length => Interlocked.Read(ref _written);

    /// <summary>Lower-case hex SHA-256 of the content, once complete.</summary>
    public string Sha256 { get; private set; } = string.Empty;

    /// <summary>From the first byte to the last, as the transport delivered them.</summary>
    public TimeSpan ReceiveTime => _lastWrite - (_firstWrite ?? _lastWrite);

    public static SpooledUpload Create(string directory, long maxBytes)
    {
        Directory.CreateDirectory(directory);
        return new SpooledUpload(System.IO.Path.Combine(directory, $"upload-{Guid.NewGuid():N}.part"), maxBytes);
    }

    /// <summary>Appends bytes as they arrived (hashing them); throws once the upload was abandoned or is too large.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_failure is { } failure)
        {
            throw new OperationCanceledException("the upload was abandoned", failure);
        }

        if (Length + data.Length > _maxBytes)
        {
            throw new UploadRejectedException($"the upload exceeds the limit of {_maxBytes} bytes (Ingest:MaxUploadBytes)", [], null, tooLarge: true);
        }

        _firstWrite ??= DateTime.UtcNow;
        _hash.AppendData(data);

        // A copy into the page cache: written in place, not handed to a pool thread the receive loop would wait for.
        RandomAccess.Write(_file, data, Length);
        lock (_gate)
        {
            _written += data.Length;
            Monitor.PulseAll(_gate);
        }

        _lastWrite = DateTime.UtcNow;
    }

    public async Task CopyFromAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            int n;
            while ((n = await body.ReadAtLeastAsync(buffer, CopyBufferBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Write(buffer.AsSpan(0, n));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Blocks until <paramref name="bytes"/> have arrived or the upload is complete; returns the final length when it is
    /// complete by then, else null. Throws when the transport failed first.
    /// </summary>
    public long? WaitForHead(int bytes)
    {
        lock (_gate)
        {
            while (_written < bytes && !_complete && _failure is null)
            {
                Monitor.Wait(_gate);
            }

            if (_failure is { } failure && !_complete)
            {
                throw new IOException($"the upload ended before its first {bytes} bytes arrived: {failure.Message}", failure);
            }

            return _complete ? _written : null;
        }
    }

    /// <summary>Blocks until the upload is complete and returns its length; throws when the transport failed.</summary>
    public long WaitForComplete()
    {
        lock (_gate)
        {
            while (!_complete && _failure is null)
            {
                Monitor.Wait(_gate);
            }

            if (!_complete)
            {
                throw new IOException($"the upload ended before it was complete: {_failure!.Message}", _failure);
            }

            return _written;
        }
    }

    /// <summary>Everything has arrived: readers see the end, and the hash is final.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (!_complete)
            {
                Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
                _complete = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>The transport failed (or the parse gave up): readers waiting for more bytes fail instead.</summary>
    public void Fail(Exception reason)
    {
        lock (_gate)
        {
            _failure ??= reason;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>A seekable read view; <paramref name="length"/> is the final size when known in advance, else the current one.</summary>
    public Stream OpenRead(long length) => new GrowingReader(this, length);

    public void Dispose()
    {
        _file.Dispose();
        _hash.Dispose();
    }

    /// <summary>Waits until byte <paramref name="position"/> has arrived (or the upload ended); returns the bytes available from there.</summary>
    private long Available(long position)
    {
        lock (_gate)
        {
            while (_written <= position && !_complete && _failure is null)
            {
                Monitor.Wait(_gate);
            }

            if (_written <= position && _failure is { } failure)
            {
                throw new IOException($"the upload ended before byte {position} arrived: {failure.Message}", failure);
            }

            return _written - position;
        }
    }

    private sealed class GrowingReader(SpooledUpload spool, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            var available = spool.Available(_position);
            if (available <= 0)
            {
                return 0;
            }

            var n = RandomAccess.Read(spool._file, buffer[..(int)Math.Min(buffer.Length, available)], _position);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
