// Parses the wall-clock stamps cyclers write (US, ISO, German, "23-Nov-23 3:56:11 PM", time-only)
// straight from bytes, and converts serial dates (OLE/Excel, MATLAB datenum) to ticks.
namespace DigitalTwin.Telemetry.Parsing;

/// <summary>How to read an all-numeric date whose first two fields are both ≤ 12.</summary>
public enum DateOrder : byte
{
    MonthDayYear = 0,
    DayMonthYear = 1,
}

public static class WallClock
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    /// <summary>Days from 0001-01-01 to the OLE Automation epoch (1899-12-30).</summary>
    private static readonly long OleEpochTicks = new DateTime(1899, 12, 30).Ticks;

    /// <summary>
    /// Parses "date time" or "time" text into DateTime ticks. <paramref name="isUtc"/> is set when the text
    /// carries "Z" or an offset (the ticks are then UTC); <paramref name="timeOnly"/> when no date was present
    /// (ticks are then the time of day).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, DateOrder order, out long ticks, out bool isUtc, out bool timeOnly)
    {
        ticks = 0;
        isUtc = false;
        timeOnly = false;
        text = FastNumber.Trim(text);
        if (text.IsEmpty)
        {
            return false;
        }

        var pos = 0;
        int year = 1, month = 1, day = 1;
        var firstColon = text.IndexOf((byte)':');
        var dateSep = text.IndexOfAny((byte)'/', (byte)'-', (byte)'.');
        var hasDate = dateSep >= 0 && (firstColon < 0 || dateSep < firstColon);
        if (hasDate)
        {
            if (!ReadDate(text, ref pos, order, out year, out month, out day))
            {
                return false;
            }

            while (pos < text.Length && (text[pos] == (byte)' ' || text[pos] == (byte)'T' || text[pos] == (byte)'\t' || text[pos] == (byte)','))
            {
                pos++;
            }
        }
        else
        {
            timeOnly = true;
        }

        long timeTicks = 0;
        if (pos < text.Length)
        {
            if (!ReadTime(text, ref pos, out timeTicks, out var offsetMinutes, out isUtc))
            {
                return false;
            }

            timeTicks -= offsetMinutes * TimeSpan.TicksPerMinute;
        }
        else if (timeOnly)
        {
            return false;
        }

        if (timeOnly)
        {
            ticks = timeTicks;
            return true;
        }

        if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        ticks = new DateTime(year, month, day).Ticks + timeTicks;
        return true;
    }

    /// <summary>OLE Automation / Excel serial date (days since 1899-12-30) to ticks.</summary>
    public static long FromOleDate(double days) => OleEpochTicks + (long)Math.Round(days * TimeSpan.TicksPerDay);

    /// <summary>MATLAB datenum (days since year 0, with day 1 = 0000-01-01) to ticks.</summary>
    public static long FromMatlabDatenum(double datenum) => FromOleDate(datenum - 693960.0);

    private static bool ReadDate(ReadOnlySpan<byte> text, ref int pos, DateOrder order, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (!ReadNumber(text, ref pos, out var a, out var aDigits) || pos >= text.Length)
        {
            return false;
        }

        var sep = text[pos++];
        int b;
        var bIsMonthName = false;
        if (pos < text.Length && IsLetter(text[pos]))
        {
            var start = pos;
            while (pos < text.Length && IsLetter(text[pos]))
            {
                pos++;
            }

            b = MonthFromName(text[start..pos]);
            if (b == 0)
            {
                return false;
            }

            bIsMonthName = true;
        }
        else if (!ReadNumber(text, ref pos, out b, out _))
        {
            return false;
        }

        if (pos >= text.Length || text[pos] != sep)
        {
            return false;
        }

        pos++;
        if (!ReadNumber(text, ref pos, out var c, out var cDigits))
        {
            return false;
        }

        if (aDigits == 4)
        {
            (year, month, day) = (a, b, c);
        }
        else
        {
            year = cDigits <= 2 ? 2000 + c : c;
            if (bIsMonthName || sep == (byte)'.')
            {
                (day, month) = (a, b);
            }
            else if (order == DateOrder.DayMonthYear || a > 12)
            {
                (day, month) = (a, b);
            }
            else
            {
                (month, day) = (a, b);
            }
        }

        return true;
    }

    private static bool ReadTime(ReadOnlySpan<byte> text, ref int pos, out long ticks, out long offsetMinutes, out bool isUtc)
    {
        ticks = 0;
        offsetMinutes = 0;
        isUtc = false;
        if (!ReadNumber(text, ref pos, out var hour, out _) || pos >= text.Length || text[pos] != (byte)':')
        {
            return false;
        }

        pos++;
        if (!ReadNumber(text, ref pos, out var minute, out _))
        {
            return false;
        }

        long fraction = 0;
        var second = 0;
        if (pos < text.Length && text[pos] == (byte)':')
        {
            pos++;
            if (!ReadNumber(text, ref pos, out second, out _))
            {
                return false;
            }

            if (pos < text.Length && (text[pos] == (byte)'.' || text[pos] == (byte)','))
            {
                pos++;
                long scale = TimeSpan.TicksPerSecond;
                while (pos < text.Length && (uint)(text[pos] - '0') <= 9)
                {
                    scale /= 10;
                    fraction += (text[pos] - '0') * scale;
                    pos++;
                }
            }
        }

        while (pos < text.Length && text[pos] == (byte)' ')
        {
            pos++;
        }

        if (pos + 1 < text.Length && (text[pos + 1] | 0x20) == (byte)'m')
        {
            var ampm = text[pos] | 0x20;
            if (ampm == (byte)'p' && hour < 12)
            {
                hour += 12;
            }
            else if (ampm == (byte)'a' && hour == 12)
            {
                hour = 0;
            }
            else if (ampm != (byte)'a' && ampm != (byte)'p')
            {
                return false;
            }

            pos += 2;
        }

        if (pos < text.Length && (text[pos] == (byte)'Z' || text[pos] == (byte)'+' || text[pos] == (byte)'-'))
        {
            isUtc = true;
            if (text[pos] != (byte)'Z')
            {
                var sign = text[pos] == (byte)'-' ? -1 : 1;
                pos++;
                if (!ReadNumber(text, ref pos, out var oh, out var ohDigits))
                {
                    return false;
                }

                var om = 0;
                if (ohDigits == 4)
                {
                    om = oh % 100;
                    oh /= 100;
                }
                else if (pos < text.Length && text[pos] == (byte)':')
                {
                    pos++;
                    ReadNumber(text, ref pos, out om, out _);
                }

                offsetMinutes = sign * ((oh * 60) + om);
            }
            else
            {
                pos++;
            }
        }

        while (pos < text.Length && text[pos] == (byte)' ')
        {
            pos++;
        }

        if (pos != text.Length || hour > 24 || minute > 59 || second > 60)
        {
            return false;
        }

        ticks = (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + fraction;
        return true;
    }

    private static bool ReadNumber(ReadOnlySpan<byte> text, ref int pos, out int value, out int digits)
    {
        value = 0;
        digits = 0;
        while (pos < text.Length && (uint)(text[pos] - '0') <= 9 && digits < 9)
        {
            value = (value * 10) + (text[pos] - '0');
            pos++;
            digits++;
        }

        return digits > 0;
    }

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static int MonthFromName(ReadOnlySpan<byte> name)
    {
        if (name.Length < 3)
        {
            return 0;
        }

        Span<char> key = stackalloc char[3];
        for (var i = 0; i < 3; i++)
        {
            key[i] = (char)(name[i] | 0x20);
        }

        for (var m = 0; m < 12; m++)
        {
            if (key.SequenceEqual(Months[m]))
            {
                return m + 1;
            }
        }

        return 0;
    }
}
