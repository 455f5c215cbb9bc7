// An upload's bytes written to a spool file as they arrive, hashed on the way (SHA-256), so the readers get the
// seekable file they need and the source id "file:<sha256>" is known before anything reaches the log.
using System.Security.Cryptography;

namespace DigitalTwin.Services.Ingest;

internal sealed class SpooledUpload : IDisposable
{
    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly long _maxBytes;
    private bool _finished;
    private DateTime? _firstWrite;
    private DateTime _lastWrite = DateTime.UtcNow;

    private SpooledUpload(string path, long maxBytes)
    {
        Path = path;
        _maxBytes = maxBytes;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.DeleteOnClose);
    }

    public string Path { get; }

    /// <summary>From the first byte to the last, as the transport delivered them.</summary>
    public TimeSpan ReceiveTime => _lastWrite - (_firstWrite ?? _lastWrite);

    public long Length { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the content, after <see cref="FinishAsync"/>.</summary>
    public string Sha256 { get; private set; } = string.Empty;

    public static SpooledUpload Create(string directory, long maxBytes)
    {
        Directory.CreateDirectory(directory);
        return new SpooledUpload(System.IO.Path.Combine(directory, $"upload-{Guid.NewGuid():N}.part"), maxBytes);
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (Length + data.Length > _maxBytes)
        {
            throw new UploadRejectedException($"the upload exceeds the limit of {_maxBytes} bytes (Ingest:MaxUploadBytes)", [], null, tooLarge: true);
        }

        _firstWrite ??= DateTime.UtcNow;
        _hash.AppendData(data.Span);
        await _file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        Length += data.Length;
        _lastWrite = DateTime.UtcNow;
    }

    public async Task CopyFromAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task FinishAsync()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        await _file.FlushAsync().ConfigureAwait(false);
        Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    /// <summary>A read-only view of the spooled content (the spool file is deleted when this upload is disposed).</summary>
    public FileStream OpenRead() =>
        new(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);

    public void Dispose()
    {
        _file.Dispose();
        _hash.Dispose();
    }
}
