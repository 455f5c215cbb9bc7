// The embedded store's encodings: raw chunks and rollup chunks round-trip exactly, including
// NaN payloads, -0, infinities, absent fields and strings, and slowly varying data packs small.
using DigitalTwin.TimeSeries.Embedded;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.TimeSeries.Tests;

public sealed class ChunkCodecTests
{
    [Fact]
    public void Raw_chunks_round_trip_every_value_and_gap()
    {
        var random = new Random(3);
        var points = new PointColumns(1);
        var time = -5_000L;
        for (var i = 0; i < 3_000; i++)
        {
            time += random.Next(1, 1_000_000);
            var row = points.AddTime(time);
            if (i % 3 != 0)
            {
                points.ColumnFor(1, FieldKind.Float).Set(row, FieldValue.FromFloat("f", i % 97 == 0 ? Special(i) : random.NextDouble() * 1e3));
            }

            points.ColumnFor(2, FieldKind.Integer).Set(row, FieldValue.FromInteger("i", random.NextInt64(long.MinValue, long.MaxValue)));
            if (i % 5 == 0)
            {
                points.ColumnFor(3, FieldKind.String).Set(row, FieldValue.FromString("s", i % 10 == 0 ? "" : $"step {i} ✓"));
            }

            points.ColumnFor(4, FieldKind.Boolean).Set(row, FieldValue.FromBoolean("b", i % 2 == 0));
        }

        var writer = new ByteWriter();
        RawChunkCodec.Encode(points, 0, points.Count, writer);
        var decoded = RawChunkCodec.Decode(writer.Span, out var used);

        Assert.Equal(writer.Length, used);
        Assert.Equal(points.Times.AsSpan(0, points.Count).ToArray(), decoded.Times.AsSpan(0, decoded.Count).ToArray());
        foreach (var column in points.Columns)
        {
            var other = decoded.Column(column.FieldId)!;
            for (var i = 0; i < points.Count; i++)
            {
                Assert.Equal(column.Present[i], other.Present[i]);
                if (column.Present[i])
                {
                    Assert.True(column.SameValue(i, other, i), $"field {column.FieldId} row {i}");
                }
            }
        }
    }

    [Fact]
    public void Slowly_varying_cycler_values_pack_below_half_their_raw_size()
    {
        // A float32 voltage signal widened to double (as cycler exports are) leaves 4 zero low bytes to drop.
        var points = new PointColumns(1);
        for (var i = 0; i < 4_096; i++)
        {
            var row = points.AddTime(i * TimeUnits.NanosecondsPerSecond);
            points.ColumnFor(1, FieldKind.Float).Set(row, FieldValue.FromFloat("v", (double)(float)(3.6 + (0.001 * Math.Sin(i / 50.0)))));
        }

        var writer = new ByteWriter();
        RawChunkCodec.Encode(points, 0, points.Count, writer);
        var raw = points.Count * (8 + 8);
        Assert.True(writer.Length < raw / 2, $"{writer.Length} bytes for {points.Count} points (raw {raw})");
    }

    [Fact]
    public void Rollup_chunks_round_trip()
    {
        var width = 10 * TimeUnits.NanosecondsPerSecond;
        var buckets = new List<RollupBucket>();
        for (var b = 0; b < 50; b++)
        {
            var bucket = new RollupBucket((b * 3 - 20) * width);
            for (var k = 0; k < b % 4; k++)
            {
                bucket.Add(7, (b * 0.5) + k);
                bucket.Add(9, -k);
            }

            buckets.Add(bucket);
        }

        var writer = new ByteWriter();
        RollupChunkCodec.Encode(width, buckets, writer);
        var decoded = RollupChunkCodec.Decode(width, writer.Span);
        Assert.Equal(buckets.Select(b => b.Start), decoded.Select(b => b.Start));
        for (var b = 0; b < buckets.Count; b++)
        {
            foreach (var (id, aggregate) in buckets[b].Entries())
            {
                Assert.True(decoded[b].TryGet(id, out var other));
                Assert.Equal(aggregate, other);
            }
        }
    }

    private static double Special(int i) => (i / 97 % 5) switch
    {
        0 => -0.0,
        1 => double.NaN,
        2 => BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_1234),
        3 => double.PositiveInfinity,
        _ => double.Epsilon,
    };
}
