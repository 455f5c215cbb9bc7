// The bucket plan both stores share, so the embedded store and InfluxDB answer a query with the
// same buckets: a "nice" width ≥ span / MaxPoints, buckets aligned to multiples of the width.
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.TimeSeries;

public static class Downsampling
{
    /// <summary>Raw mode returns at most this many × MaxPoints points per series.</summary>
    public const int RawLimitFactor = 10;

    private const long Second = TimeUnits.NanosecondsPerSecond;

    /// <summary>Widths in seconds; each ≥ 10 s is a multiple of an embedded rollup level.</summary>
    private static readonly long[] NiceSeconds =
    [
        1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 10800, 21600, 43200,
        86400, 172800, 604800, 2592000,
    ];

    /// <summary>Bucket width for a span: the smallest nice width ≥ span / maxPoints (multiples of 30 days beyond).</summary>
    public static long BucketWidth(long fromNs, long toNs, int maxPoints)
    {
        var ideal = (toNs - fromNs + maxPoints - 1) / maxPoints;
        foreach (var seconds in NiceSeconds)
        {
            if (seconds * Second >= ideal)
            {
                return seconds * Second;
            }
        }

        var month = NiceSeconds[^1] * Second;
        return (ideal + month - 1) / month * month;
    }

    public static long FloorTo(long time, long width)
    {
        var q = time / width;
        if (time % width != 0 && time < 0)
        {
            q--;
        }

        return q * width;
    }

    public static long CeilTo(long time, long width)
    {
        var floor = FloorTo(time, width);
        return floor == time ? time : floor + width;
    }

    /// <summary>The plan for a query: raw, or buckets of width W over [From, To) aligned to W.</summary>
    public static QueryPlan Plan(SeriesQuery query)
    {
        if (query.Raw || query.Where is not null)
        {
            return new QueryPlan(0, query.FromNs, query.ToNs);
        }

        var width = BucketWidth(query.FromNs, query.ToNs, query.MaxPoints);
        return new QueryPlan(width, FloorTo(query.FromNs, width), CeilTo(query.ToNs, width));
    }
}

/// <summary>Bucket width (0 = raw) and the aligned range.</summary>
public readonly record struct QueryPlan(long BucketNs, long FromNs, long ToNs)
{
    public bool IsRaw => BucketNs == 0;
}
