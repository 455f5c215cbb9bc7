// grpc-message percent-encoding: UTF-8 bytes outside 0x20-0x7E and '%' become %XX (PROTOCOL-HTTP2.md).
using System.Buffers;
using System.Text;

namespace DigitalTwin.Rpc.Protocol;

internal static class PercentEncoding
{
    private const string HexDigits = "0123456789ABCDEF";

    public static string Encode(string value)
    {
        var needsEncoding = false;
        foreach (var c in value)
        {
            if (c < ' ' || c > '~' || c == '%')
            {
                needsEncoding = true;
                break;
            }
        }

        if (!needsEncoding)
        {
            return value;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var bytes = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var count = Encoding.UTF8.GetBytes(value, bytes);
            var builder = new StringBuilder(count * 2);
            for (var i = 0; i < count; i++)
            {
                var b = bytes[i];
                if (b < 0x20 || b > 0x7E || b == '%')
                {
                    builder.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
                }
                else
                {
                    builder.Append((char)b);
                }
            }

            return builder.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Decodes; a broken %-sequence is kept as is (the spec forbids failing or dropping the message).</summary>
    public static string Decode(string value)
    {
        if (!value.Contains('%'))
        {
            return value;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var count = 0;
            var runStart = 0;
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] == '%' && i + 2 < value.Length && TryHex(value[i + 1], out var hi) && TryHex(value[i + 2], out var lo))
                {
                    count += Encoding.UTF8.GetBytes(value.AsSpan(runStart, i - runStart), bytes.AsSpan(count));
                    bytes[count++] = (byte)((hi << 4) | lo);
                    i += 2;
                    runStart = i + 1;
                }
            }

            count += Encoding.UTF8.GetBytes(value.AsSpan(runStart), bytes.AsSpan(count));
            return Encoding.UTF8.GetString(bytes, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
