// Elapsed-time fields written as text: "0d 06:00:00.04" (Maccor), "144:01:18" (Neware), "00:02:42.363" (PEC).
namespace DigitalTwin.Telemetry.Parsing;

public static class Durations
{
    /// <summary>Parses "[N d ]h:mm[:ss[.fff]]" (hours may exceed 24) or a bare number of seconds.</summary>
    public static bool TryParseSeconds(ReadOnlySpan<byte> text, out double seconds)
    {
        text = FastNumber.Trim(text);
        seconds = double.NaN;
        if (text.IsEmpty)
        {
            return false;
        }

        if (text.IndexOf((byte)':') < 0)
        {
            return FastNumber.TryParseDouble(text, (byte)'.', out seconds);
        }

        double days = 0;
        var dIndex = text.IndexOf((byte)'d');
        if (dIndex >= 0)
        {
            if (!FastNumber.TryParseDouble(text[..dIndex], (byte)'.', out days))
            {
                return false;
            }

            text = FastNumber.Trim(text[(dIndex + 1)..]);
        }

        var negative = false;
        if (!text.IsEmpty && text[0] == (byte)'-')
        {
            negative = true;
            text = text[1..];
        }

        double total = 0;
        var parts = 0;
        while (!text.IsEmpty)
        {
            var colon = text.IndexOf((byte)':');
            var part = colon < 0 ? text : text[..colon];
            if (!FastNumber.TryParseDouble(part, (byte)'.', out var value) || value < 0)
            {
                return false;
            }

            total = (total * 60) + value;
            parts++;
            text = colon < 0 ? default : text[(colon + 1)..];
        }

        if (parts == 2)
        {
            total *= 60;
        }
        else if (parts != 3)
        {
            return false;
        }

        seconds = (days * 86400) + (negative ? -total : total);
        return true;
    }
}
