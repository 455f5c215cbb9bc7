// Span-based number parsing for the hot loop: an exact fast path (Clinger) for ordinary decimals,
// with the framework parser as the fallback, so results always equal double.Parse.
using System.Globalization;

namespace DigitalTwin.Telemetry.Parsing;

public static class FastNumber
{
    private const ulong MaxExactMantissa = 1UL << 53;

    private static readonly double[] Pow10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses a decimal number (optional sign, digits, one decimal separator, exponent); trims spaces and quotes.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, byte decimalSeparator, out double value)
    {
        text = Trim(text);
        if (text.IsEmpty)
        {
            value = double.NaN;
            return false;
        }

        var i = 0;
        var negative = false;
        if (text[0] == (byte)'-')
        {
            negative = true;
            i++;
        }
        else if (text[0] == (byte)'+')
        {
            i++;
        }

        ulong mantissa = 0;
        var digits = 0;
        var exponent = 0;
        var any = false;
        for (; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d > 9)
            {
                break;
            }

            any = true;
            if (digits < 19)
            {
                mantissa = (mantissa * 10) + d;
                if (mantissa != 0)
                {
                    digits++;
                }
            }
            else
            {
                exponent++;
            }
        }

        if (i < text.Length && text[i] == decimalSeparator)
        {
            i++;
            for (; i < text.Length; i++)
            {
                var d = (uint)(text[i] - '0');
                if (d > 9)
                {
                    break;
                }

                any = true;
                if (digits < 19)
                {
                    mantissa = (mantissa * 10) + d;
                    exponent--;
                    if (mantissa != 0)
                    {
                        digits++;
                    }
                }
            }
        }

        if (!any)
        {
            return Slow(text, decimalSeparator, out value);
        }

        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            var expNegative = false;
            if (i < text.Length && (text[i] == (byte)'-' || text[i] == (byte)'+'))
            {
                expNegative = text[i] == (byte)'-';
                i++;
            }

            var e = 0;
            var expDigits = 0;
            for (; i < text.Length; i++)
            {
                var d = (uint)(text[i] - '0');
                if (d > 9)
                {
                    break;
                }

                if (e < 100000)
                {
                    e = (e * 10) + (int)d;
                }

                expDigits++;
            }

            if (expDigits == 0)
            {
                return Slow(text, decimalSeparator, out value);
            }

            exponent += expNegative ? -e : e;
        }

        if (i != text.Length)
        {
            return Slow(text, decimalSeparator, out value);
        }

        while (mantissa > MaxExactMantissa && mantissa % 10 == 0)
        {
            mantissa /= 10;
            exponent++;
        }

        // Clinger's fast path: both the mantissa and the power of ten are exact doubles, so one rounding.
        if (mantissa <= MaxExactMantissa && exponent >= -22 && exponent <= 22)
        {
            double m = mantissa;
            value = exponent >= 0 ? m * Pow10[exponent] : m / Pow10[-exponent];
            if (negative)
            {
                value = -value;
            }

            return true;
        }

        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }

        return Slow(text, decimalSeparator, out value);
    }

    /// <summary>Parses an integer, accepting a decimal form with a zero fraction ("3.0") as Arbin and pandas exports write it.</summary>
    public static bool TryParseInt(ReadOnlySpan<byte> text, byte decimalSeparator, out int value)
    {
        text = Trim(text);
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        var i = 0;
        var negative = false;
        if (text[0] == (byte)'-')
        {
            negative = true;
            i++;
        }

        long v = 0;
        var any = false;
        for (; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d > 9)
            {
                break;
            }

            v = (v * 10) + d;
            any = true;
            if (v > int.MaxValue)
            {
                return false;
            }
        }

        if (i < text.Length)
        {
            if (!TryParseDouble(text, decimalSeparator, out var dbl) || dbl != Math.Floor(dbl) || Math.Abs(dbl) > int.MaxValue)
            {
                return false;
            }

            value = (int)dbl;
            return true;
        }

        value = negative ? (int)-v : (int)v;
        return any;
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && (text[start] == (byte)' ' || text[start] == (byte)'\t' || text[start] == (byte)'"' || text[start] == (byte)'\r'))
        {
            start++;
        }

        while (end > start && (text[end - 1] == (byte)' ' || text[end - 1] == (byte)'\t' || text[end - 1] == (byte)'"' || text[end - 1] == (byte)'\r'))
        {
            end--;
        }

        return text[start..end];
    }

    private static bool Slow(ReadOnlySpan<byte> text, byte decimalSeparator, out double value)
    {
        Span<byte> copy = stackalloc byte[Math.Min(text.Length, 128)];
        if (text.Length > 128)
        {
            value = double.NaN;
            return false;
        }

        text.CopyTo(copy);
        if (decimalSeparator != (byte)'.')
        {
            copy.Replace(decimalSeparator, (byte)'.');
        }

        if (double.TryParse(copy, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        // Spellings of non-finite values that exports use; the caller decides whether they are acceptable.
        var lower = System.Text.Encoding.ASCII.GetString(copy).Trim().ToLowerInvariant();
        switch (lower)
        {
            case "nan" or "-nan" or "1.#qnan" or "-1.#ind":
                value = double.NaN;
                return true;
            case "inf" or "+inf" or "infinity" or "1.#inf":
                value = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity" or "-1.#inf":
                value = double.NegativeInfinity;
                return true;
            default:
                value = double.NaN;
                return false;
        }
    }
}
