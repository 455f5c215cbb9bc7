// Timestamps are nanoseconds since the Unix epoch (UTC), InfluxDB's native precision.
namespace DigitalTwin.TimeSeries.Points;

public static class TimeUnits
{
    public const long NanosecondsPerSecond = 1_000_000_000;
    public const long NanosecondsPerMillisecond = 1_000_000;
    private const long NanosecondsPerTick = 100;

    public static long ToNanoseconds(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * NanosecondsPerTick;

    public static DateTimeOffset FromNanoseconds(long nanoseconds) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / NanosecondsPerTick);

    public static long FromSeconds(double seconds) => (long)Math.Round(seconds * NanosecondsPerSecond);

    public static double ToSeconds(long nanoseconds) => nanoseconds / (double)NanosecondsPerSecond;
}
