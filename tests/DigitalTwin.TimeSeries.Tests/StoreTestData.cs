// Deterministic test series and a brute-force reference aggregation to check stores against.
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;
using static DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.TimeSeries.Tests;

internal sealed record RefPoint(string Cell, long Time, double Voltage, double Current, long Cycle);

internal static class StoreTestData
{
    public static readonly long Start = TimeUnits.ToNanoseconds(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));

    public static SeriesKey Cell(string cell, string lot = "L1") =>
        SeriesKey.Create(Telemetry.Measurement, (Measurements.Tags.Cell, cell), (Measurements.Tags.Lot, lot));

    /// <summary>1 Hz samples with a slow sine voltage and a square-wave current, seeded.</summary>
    public static List<RefPoint> Samples(string cell, long from, int count, long stepNs = TimeUnits.NanosecondsPerSecond, int seed = 1)
    {
        var random = new Random(seed);
        var points = new List<RefPoint>(count);
        for (var i = 0; i < count; i++)
        {
            var t = from + (i * stepNs);
            var voltage = 3.7 + (0.4 * Math.Sin(i / 900.0)) + (random.NextDouble() * 1e-3);
            var current = (i / 1800 % 2 == 0 ? 1.5 : -1.5) + (random.NextDouble() * 1e-2);
            points.Add(new RefPoint(cell, t, voltage, current, 1 + (i / 3600)));
        }

        return points;
    }

    public static PointBatch Batch(IEnumerable<RefPoint> points, string lot = "L1")
    {
        var batch = new PointBatch();
        var keys = new Dictionary<string, SeriesKey>();
        foreach (var p in points)
        {
            if (!keys.TryGetValue(p.Cell, out var key))
            {
                key = Cell(p.Cell, lot);
                keys[p.Cell] = key;
            }

            batch.Add(key, p.Time)
                .Float(Telemetry.Voltage, p.Voltage)
                .Float(Telemetry.Current, p.Current)
                .Integer(Telemetry.Cycle, p.Cycle);
        }

        return batch;
    }

    /// <summary>Mean/min/max/count per bucket computed directly from the points (the reference).</summary>
    public static SortedDictionary<long, (double Mean, double Min, double Max, long Count)> Reference(
        IEnumerable<RefPoint> points, Func<RefPoint, double> value, long from, long to, long width)
    {
        var groups = points.Where(p => p.Time >= from && p.Time < to)
            .GroupBy(p => Downsampling.FloorTo(p.Time, width));
        var result = new SortedDictionary<long, (double, double, double, long)>();
        foreach (var group in groups)
        {
            var values = group.Select(value).ToList();
            result[group.Key] = (values.Average(), values.Min(), values.Max(), values.Count);
        }

        return result;
    }

    /// <summary>Last write wins per timestamp, as both stores define it.</summary>
    public static List<RefPoint> LastWins(IEnumerable<RefPoint> inWriteOrder) =>
        inWriteOrder.GroupBy(p => (p.Cell, p.Time)).Select(g => g.Last()).OrderBy(p => p.Time).ToList();

    public static void AssertMatches(SortedDictionary<long, (double Mean, double Min, double Max, long Count)> expected,
        SeriesFrame frame, string field, double tolerance)
    {
        var column = frame.Fields[field];
        Assert.Equal(expected.Keys.ToArray(), frame.Times);
        var i = 0;
        foreach (var (_, (mean, min, max, count)) in expected)
        {
            Assert.Equal(count, column.Count![i]);
            Assert.Equal(mean, column.Values[i], tolerance);
            Assert.Equal(min, column.Min![i], tolerance);
            Assert.Equal(max, column.Max![i], tolerance);
            i++;
        }
    }

    public static string TempFile(string name)
    {
        var directory = Path.Combine(Path.GetTempPath(), "dt-series-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }
}
