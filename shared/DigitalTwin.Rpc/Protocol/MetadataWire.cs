// Metadata ↔ HTTP/2 header values: "-bin" values base64 (emit unpadded, accept both), comma-joined
// duplicates split before decoding (PROTOCOL-HTTP2.md, Custom-Metadata).
using System.Buffers;

namespace DigitalTwin.Rpc.Protocol;

internal static class MetadataWire
{
    public static string ToHeaderValue(Metadata.Entry entry)
    {
        if (!entry.IsBinary)
        {
            return entry.Value;
        }

        var encoded = Convert.ToBase64String(entry.ValueBytes);
        return encoded.TrimEnd('=');
    }

    /// <summary>Whether application metadata may use this key on the wire (the runtime's own keys are refused).</summary>
    public static void EnsureSendable(Metadata.Entry entry)
    {
        if (GrpcProtocol.IsReservedHeader(entry.Key))
        {
            throw new InvalidOperationException($"Metadata key '{entry.Key}' is reserved for the gRPC runtime and cannot be sent as metadata.");
        }
    }

    /// <summary>Adds a received header to metadata; binary values that are not base64 are dropped (returns false).</summary>
    public static bool AddFromWire(Metadata metadata, string key, string value)
    {
        if (!Metadata.IsBinaryKey(key))
        {
            metadata.Add(Metadata.Entry.FromWire(key, value));
            return true;
        }

        var ok = true;
        foreach (var range in value.AsSpan().Split(','))
        {
            var bytes = DecodeBase64(value.AsSpan(range).Trim());
            if (bytes is null)
            {
                ok = false;
                continue;
            }

            metadata.Add(Metadata.Entry.FromWire(key, bytes));
        }

        return ok;
    }

    /// <summary>Decodes padded or unpadded base64; null when invalid.</summary>
    public static byte[]? DecodeBase64(ReadOnlySpan<char> text)
    {
        var padding = (4 - (text.Length % 4)) % 4;
        if (padding == 3)
        {
            return null;
        }

        var length = text.Length + padding;
        var rented = ArrayPool<char>.Shared.Rent(Math.Max(length, 1));
        try
        {
            text.CopyTo(rented);
            rented.AsSpan(text.Length, padding).Fill('=');
            var output = new byte[(length / 4) * 3];
            if (!Convert.TryFromBase64Chars(rented.AsSpan(0, length), output, out var written))
            {
                return null;
            }

            return written == output.Length ? output : output.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
