// Per-message compression (grpc/grpc doc/compression.md): gzip and deflate (zlib), a fresh context per message.
using System.Buffers;
using System.IO.Compression;

namespace DigitalTwin.Rpc.Protocol;

internal static class MessageCompression
{
    public const string Gzip = "gzip";
    public const string Deflate = "deflate";

    /// <summary>What we accept, advertised in grpc-accept-encoding.</summary>
    public const string AcceptEncodingValue = "identity,gzip,deflate";

    public static bool IsSupported(string encoding) =>
        encoding is Gzip or Deflate or GrpcProtocol.IdentityEncoding;

    /// <summary>Canonical (interned) name for a supported encoding, or null.</summary>
    public static string? Canonical(string? encoding) => encoding switch
    {
        null or "" => null,
        _ when encoding.Equals(Gzip, StringComparison.OrdinalIgnoreCase) => Gzip,
        _ when encoding.Equals(Deflate, StringComparison.OrdinalIgnoreCase) => Deflate,
        _ when encoding.Equals(GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase) => GrpcProtocol.IdentityEncoding,
        _ => null,
    };

    /// <summary>Whether a grpc-accept-encoding list contains an encoding.</summary>
    public static bool Accepts(string? acceptEncoding, string encoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        foreach (var range in acceptEncoding.AsSpan().Split(','))
        {
            if (acceptEncoding.AsSpan(range).Trim().Equals(encoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Compresses a serialized message; the caller disposes the returned stream.</summary>
    public static PooledWriteStream Compress(string encoding, ReadOnlySpan<byte> message, CompressionLevel level)
    {
        var output = new PooledWriteStream((message.Length / 2) + 64);
        using (var compressor = CreateCompressor(encoding, output, level))
        {
            compressor.Write(message);
        }

        return output;
    }

    /// <summary>
    /// Decompresses into a pooled array; throws RESOURCE_EXHAUSTED past maxSize (a zip bomb stops
    /// at the limit) and INTERNAL when the data is not valid for the encoding.
    /// </summary>
    public static byte[] Decompress(string encoding, ReadOnlySequence<byte> payload, int maxSize, out int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(payload.Length * 4, 256), (long)maxSize + 1));
        length = 0;
        try
        {
            using var source = new SequenceReadStream(payload);
            using var decompressor = CreateDecompressor(encoding, source);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxSize)
                    {
                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)maxSize + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = decompressor.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > maxSize)
            {
                throw new RpcException(new Status(
                    StatusCode.ResourceExhausted,
                    $"Decompressed message exceeds the maximum message size ({maxSize} bytes)."));
            }

            return buffer;
        }
        catch (InvalidDataException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new RpcException(new Status(StatusCode.Internal, $"Failed to decompress message with '{encoding}': {ex.Message}"), null, ex);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static Stream CreateCompressor(string encoding, Stream output, CompressionLevel level) => encoding switch
    {
        Gzip => new GZipStream(output, level, leaveOpen: true),
        Deflate => new ZLibStream(output, level, leaveOpen: true),
        _ => throw new InvalidOperationException($"Unsupported compression '{encoding}'."),
    };

    private static Stream CreateDecompressor(string encoding, Stream input) => encoding switch
    {
        Gzip => new GZipStream(input, CompressionMode.Decompress),
        Deflate => new ZLibStream(input, CompressionMode.Decompress),
        _ => throw new InvalidOperationException($"Unsupported compression '{encoding}'."),
    };
}
