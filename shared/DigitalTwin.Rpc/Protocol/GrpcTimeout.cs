// grpc-timeout: TimeoutValue (1-8 ASCII digits) + TimeoutUnit H/M/S/m/u/n (PROTOCOL-HTTP2.md, Timeout).
namespace DigitalTwin.Rpc.Protocol;

internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>Parses a header value; false when it is not a valid grpc-timeout.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        long number = 0;
        var digits = value[..^1];
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            number = (number * 10) + (c - '0');
        }

        // Ticks are 100 ns; each unit's multiplier keeps 8 digits within range of a long.
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = number * TimeSpan.TicksPerHour; break;
            case 'M': ticks = number * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = number * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = number * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = number * 10; break;
            case 'n': ticks = (number + 99) / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>The finest unit whose value fits in 8 digits, rounded up so the server never gives up before the client.</summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 1);
        if (ticks <= MaxValue / 100)
        {
            return (ticks * 100).ToString(System.Globalization.CultureInfo.InvariantCulture) + "n";
        }

        if (ticks <= MaxValue * 10)
        {
            return Text(CeilDiv(ticks, 10), 'u');
        }

        if (CeilDiv(ticks, TimeSpan.TicksPerMillisecond) <= MaxValue)
        {
            return Text(CeilDiv(ticks, TimeSpan.TicksPerMillisecond), 'm');
        }

        if (CeilDiv(ticks, TimeSpan.TicksPerSecond) <= MaxValue)
        {
            return Text(CeilDiv(ticks, TimeSpan.TicksPerSecond), 'S');
        }

        if (CeilDiv(ticks, TimeSpan.TicksPerMinute) <= MaxValue)
        {
            return Text(CeilDiv(ticks, TimeSpan.TicksPerMinute), 'M');
        }

        return Text(Math.Min(CeilDiv(ticks, TimeSpan.TicksPerHour), MaxValue), 'H');
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    private static string Text(long value, char unit) =>
        value.ToString(System.Globalization.CultureInfo.InvariantCulture) + unit;
}
