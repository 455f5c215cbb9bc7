// The embedded store against a brute-force reference: rollups must give exactly the buckets a
// direct aggregation of the raw points gives, through late data, duplicates, reopen and compaction.
using DigitalTwin.TimeSeries.Embedded;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;
using static DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.TimeSeries.Tests;

public sealed class SqliteStoreTests
{
    // Means are sums of ~1e4 values of order 1 taken in a different order: 1e-9 absolute covers the rounding.
    private const double Tolerance = 1e-9;
    private static readonly long Second = TimeUnits.NanosecondsPerSecond;
    private static readonly string[] VoltageOnly = [Telemetry.Voltage.Name];

    [Theory]
    [InlineData(7_200, 100)]      // 2 h in 100 buckets: 72 s ideal -> 120 s buckets, from the 1 min level
    [InlineData(7_200, 2_000)]    // 2 h in 2000 buckets: 3.6 s ideal -> 5 s buckets, from raw points
    [InlineData(7_200, 10)]       // 720 s ideal -> 1200 s buckets, from the 10 min level
    [InlineData(14_000, 3)]       // 4667 s ideal -> 7200 s buckets, from the 1 h level
    public async Task Buckets_equal_a_direct_aggregation_of_the_points(int seconds, int maxPoints)
    {
        var path = StoreTestData.TempFile("store.db");
        var points = StoreTestData.Samples("c1", StoreTestData.Start + (3 * Second), seconds);
        await using (var store = SqliteTimeSeriesStore.Open(path))
        {
            foreach (var chunk in points.Chunk(997))
            {
                await store.WriteAsync(StoreTestData.Batch(chunk));
            }

            var query = Query(StoreTestData.Start, StoreTestData.Start + (seconds * Second), maxPoints);
            var result = await store.QueryAsync(query);
            var plan = Downsampling.Plan(query);
            Assert.Equal(plan.BucketNs, result.BucketNs);
            var expected = StoreTestData.Reference(points, p => p.Voltage, plan.FromNs, plan.ToNs, plan.BucketNs);
            StoreTestData.AssertMatches(expected, Assert.Single(result.Series), Telemetry.Voltage.Name, Tolerance);
        }
    }

    [Fact]
    public async Task Late_points_and_overwrites_rebuild_the_rollups_they_touch()
    {
        var path = StoreTestData.TempFile("late.db");
        var first = StoreTestData.Samples("c1", StoreTestData.Start, 5_000, seed: 1);
        var rewritten = StoreTestData.Samples("c1", StoreTestData.Start + (1_000 * Second), 500, seed: 2);
        var earlier = StoreTestData.Samples("c1", StoreTestData.Start - (400 * Second), 300, seed: 3);
        var gapFill = StoreTestData.Samples("c1", StoreTestData.Start + (4_999 * Second) + (Second / 2), 1, seed: 4);
        await using var store = SqliteTimeSeriesStore.Open(path);
        await store.WriteAsync(StoreTestData.Batch(first));
        await store.WriteAsync(StoreTestData.Batch(rewritten));
        await store.WriteAsync(StoreTestData.Batch(earlier));
        await store.WriteAsync(StoreTestData.Batch(gapFill));
        var truth = StoreTestData.LastWins(first.Concat(rewritten).Concat(earlier).Concat(gapFill));

        foreach (var maxPoints in new[] { 10, 100, 1000, 3000 })
        {
            var query = Query(StoreTestData.Start - (600 * Second), StoreTestData.Start + (5_000 * Second), maxPoints);
            var plan = Downsampling.Plan(query);
            var expected = StoreTestData.Reference(truth, p => p.Voltage, plan.FromNs, plan.ToNs, plan.BucketNs);
            StoreTestData.AssertMatches(expected, Assert.Single((await store.QueryAsync(query)).Series), Telemetry.Voltage.Name, Tolerance);
        }
    }

    [Fact]
    public async Task Rewriting_identical_points_stores_nothing_new()
    {
        var path = StoreTestData.TempFile("replay.db");
        var points = StoreTestData.Samples("c1", StoreTestData.Start, 3_000);
        await using var store = SqliteTimeSeriesStore.Open(path);
        await store.WriteAsync(StoreTestData.Batch(points));
        await store.CheckpointAsync();
        var before = store.GetStatistics();
        await store.WriteAsync(StoreTestData.Batch(points));
        await store.WriteAsync(StoreTestData.Batch(points.Skip(100).Take(50)));

        // Same series, chunks, points and rollup rows (the file may keep free pages from the emptied log).
        Assert.Equal(before with { FileBytes = 0 }, store.GetStatistics() with { FileBytes = 0 });
    }

    [Fact]
    public async Task Reopening_recovers_open_buckets_and_latest_points()
    {
        var path = StoreTestData.TempFile("reopen.db");
        var first = StoreTestData.Samples("c1", StoreTestData.Start, 4_000, seed: 5);
        var second = StoreTestData.Samples("c1", StoreTestData.Start + (4_000 * Second), 4_000, seed: 6);
        await using (var store = SqliteTimeSeriesStore.Open(path))
        {
            await store.WriteAsync(StoreTestData.Batch(first));
        }

        await using (var store = SqliteTimeSeriesStore.Open(path))
        {
            var latest = Assert.Single(await store.LatestAsync(new LatestQuery { Measurement = Telemetry.Measurement.Name }));
            Assert.Equal(first[^1].Time, latest.TimestampNs);
            Assert.Equal(first[^1].Voltage, latest.Field(Telemetry.Voltage.Name)!.Value.Float);
            await store.WriteAsync(StoreTestData.Batch(second));
        }

        await using (var store = SqliteTimeSeriesStore.Open(path))
        {
            foreach (var maxPoints in new[] { 3, 20, 200 })
            {
                var query = Query(StoreTestData.Start, StoreTestData.Start + (8_000 * Second), maxPoints);
                var plan = Downsampling.Plan(query);
                var expected = StoreTestData.Reference(first.Concat(second), p => p.Voltage, plan.FromNs, plan.ToNs, plan.BucketNs);
                StoreTestData.AssertMatches(expected, Assert.Single((await store.QueryAsync(query)).Series), Telemetry.Voltage.Name, Tolerance);
            }
        }
    }

    [Fact]
    public async Task A_copy_of_the_files_taken_right_after_a_write_holds_the_write()
    {
        var path = StoreTestData.TempFile("durable.db");
        var points = StoreTestData.Samples("c1", StoreTestData.Start, 2_500);
        var copy = StoreTestData.TempFile("copy.db");
        await using (var store = SqliteTimeSeriesStore.Open(path))
        {
            await store.WriteAsync(StoreTestData.Batch(points));

            // The process "dies" here: only what is in the database and its WAL counts.
            foreach (var suffix in new[] { "", "-wal" })
            {
                if (File.Exists(path + suffix))
                {
                    File.Copy(path + suffix, copy + suffix);
                }
            }
        }

        await using var reopened = SqliteTimeSeriesStore.Open(copy);
        var raw = await reopened.QueryAsync(Query(StoreTestData.Start, StoreTestData.Start + (2_500 * Second), 1000) with { Raw = true });
        Assert.Equal(points.Select(p => p.Time), Assert.Single(raw.Series).Times);
        Assert.Equal(points.Select(p => p.Voltage), Assert.Single(raw.Series).Fields[Telemetry.Voltage.Name].Values);

        // The closed rollup buckets were still in memory when the copy was taken: reopening rebuilds them from the chunks.
        var query = Query(StoreTestData.Start, StoreTestData.Start + (2_500 * Second), 20);
        var plan = Downsampling.Plan(query);
        StoreTestData.AssertMatches(StoreTestData.Reference(points, p => p.Voltage, plan.FromNs, plan.ToNs, plan.BucketNs),
            Assert.Single((await reopened.QueryAsync(query)).Series), Telemetry.Voltage.Name, Tolerance);
    }

    [Fact]
    public async Task Compaction_merges_small_chunks_without_changing_any_answer()
    {
        var path = StoreTestData.TempFile("compact.db");
        var points = StoreTestData.Samples("c1", StoreTestData.Start, 1_200);
        var options = new SqliteStoreOptions { CompactAfterSmallChunks = 4, CheckpointPoints = 6 };
        await using var store = SqliteTimeSeriesStore.Open(path, options);
        foreach (var chunk in points.Chunk(3))
        {
            await store.WriteAsync(StoreTestData.Batch(chunk));
        }

        await store.WriteAsync(StoreTestData.Batch(StoreTestData.Samples("c1", StoreTestData.Start + (600 * Second), 2, seed: 9)));
        var queries = new[] { 5, 50, 500 }.Select(m => Query(StoreTestData.Start, StoreTestData.Start + (1_200 * Second), m)).ToList();
        var before = new List<SeriesResult>();
        foreach (var query in queries)
        {
            before.Add(await store.QueryAsync(query));
        }

        var rawBefore = await store.QueryAsync(queries[0] with { Raw = true });
        await store.CheckpointAsync();
        var statsBefore = store.GetStatistics();
        var compaction = await store.CompactAsync();
        var statsAfter = store.GetStatistics();

        Assert.True(statsAfter.RawChunks < statsBefore.RawChunks / 10, $"raw chunks {statsBefore.RawChunks} -> {statsAfter.RawChunks}");
        Assert.True(compaction.RowsRemoved > compaction.RowsAdded);
        // The two samples rewritten at 600 s and 601 s were stored twice; merged chunks keep one copy each.
        Assert.Equal(statsBefore.Points - 2, statsAfter.Points);
        for (var i = 0; i < queries.Count; i++)
        {
            var after = Assert.Single((await store.QueryAsync(queries[i])).Series);
            var expected = Assert.Single(before[i].Series);
            Assert.Equal(expected.Times, after.Times);
            Assert.Equal(expected.Fields[Telemetry.Voltage.Name].Values, after.Fields[Telemetry.Voltage.Name].Values);
        }

        Assert.Equal(Assert.Single(rawBefore.Series).Fields[Telemetry.Voltage.Name].Values,
            Assert.Single((await store.QueryAsync(queries[0] with { Raw = true })).Series).Fields[Telemetry.Voltage.Name].Values);
    }

    [Fact]
    public async Task A_field_written_with_another_type_is_refused_naming_it()
    {
        await using var store = SqliteTimeSeriesStore.Open(StoreTestData.TempFile("types.db"));
        var key = StoreTestData.Cell("c1");
        var batch = new PointBatch();
        batch.Add(key, StoreTestData.Start).Float("voltage", 3.7);
        await store.WriteAsync(batch);
        var wrong = new PointBatch();
        wrong.Add(key, StoreTestData.Start + Second).Integer("voltage", 4);
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.WriteAsync(wrong));
        Assert.Contains("'voltage' is Float, written as Integer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_field_written_with_two_types_in_one_batch_is_refused_naming_it()
    {
        await using var store = SqliteTimeSeriesStore.Open(StoreTestData.TempFile("types2.db"));
        var key = StoreTestData.Cell("c1");
        var batch = new PointBatch();
        batch.Add(key, StoreTestData.Start).Float("voltage", 3.7);
        batch.Add(key, StoreTestData.Start + Second).String("voltage", "3.8 V");
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await store.WriteAsync(batch));
        Assert.Contains("'voltage' is written as both Float and String in one batch", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.LatestAsync(new LatestQuery { Measurement = Telemetry.Measurement.Name }));
    }

    [Fact]
    public async Task Lot_queries_return_each_cell_or_one_combined_series()
    {
        await using var store = SqliteTimeSeriesStore.Open(StoreTestData.TempFile("lot.db"));
        var a = StoreTestData.Samples("a", StoreTestData.Start, 600, seed: 1);
        var b = StoreTestData.Samples("b", StoreTestData.Start, 600, seed: 2);
        var other = StoreTestData.Samples("x", StoreTestData.Start, 600, seed: 3);
        await store.WriteAsync(StoreTestData.Batch(a.Concat(b), lot: "L1"));
        await store.WriteAsync(StoreTestData.Batch(other, lot: "L2"));
        var lot = new Dictionary<string, string> { ["lot"] = "L1" };
        var query = Query(StoreTestData.Start, StoreTestData.Start + (600 * Second), 10) with { Tags = lot };

        var perCell = await store.QueryAsync(query);
        Assert.Equal(["a", "b"], perCell.Series.Select(s => s.Tags["cell"]));

        var combined = Assert.Single((await store.QueryAsync(query with { Combine = true })).Series);
        var plan = Downsampling.Plan(query);
        StoreTestData.AssertMatches(StoreTestData.Reference(a.Concat(b), p => p.Voltage, plan.FromNs, plan.ToNs, plan.BucketNs),
            combined, Telemetry.Voltage.Name, Tolerance);

        Assert.Equal(["a", "b", "x"], await store.TagValuesAsync(Telemetry.Measurement.Name, "cell"));
        Assert.Equal(["L1", "L2"], await store.TagValuesAsync(Telemetry.Measurement.Name, "lot"));
        Assert.Equal(2, (await store.LatestAsync(new LatestQuery { Measurement = Telemetry.Measurement.Name, Tags = lot })).Count);
    }

    [Fact]
    public async Task Raw_queries_filter_on_an_integer_field_and_return_text()
    {
        await using var store = SqliteTimeSeriesStore.Open(StoreTestData.TempFile("where.db"));
        var key = SeriesKey.Create(Forecast.Measurement, (Measurements.Tags.Cell, "c1"), (Measurements.Tags.Method, "trend"));
        var batch = new PointBatch();
        for (var issued = 10; issued <= 12; issued++)
        {
            for (var k = 1; k <= 5; k++)
            {
                batch.Add(key, StoreTestData.Start + (((issued * 100) + k) * Second))
                    .Integer(Forecast.IssuedCycle, issued).Integer(Forecast.Cycle, issued + (k * 10)).Float(Forecast.SohMedian, 1 - (k * 0.01));
            }
        }

        await store.WriteAsync(batch);
        var result = await store.QueryAsync(new SeriesQuery
        {
            Measurement = Forecast.Measurement.Name,
            Fields = [Forecast.Cycle.Name, Forecast.SohMedian.Name],
            FromNs = StoreTestData.Start,
            ToNs = StoreTestData.Start + (10_000 * Second),
            Where = new FieldEquals(Forecast.IssuedCycle.Name, 11),
        });
        Assert.Equal([21.0, 31, 41, 51, 61], Assert.Single(result.Series).Fields[Forecast.Cycle.Name].Values);
    }

    [Fact]
    public async Task Months_of_1_Hz_data_chart_from_rollups()
    {
        // 30 days at 1 Hz for one cell: the whole range in 1000 buckets must come from the 1 h level.
        var path = StoreTestData.TempFile("month.db");
        const int Days = 30;
        const int PerBatch = 86_400;
        await using var store = SqliteTimeSeriesStore.Open(path);
        var key = StoreTestData.Cell("c1");
        var batch = new PointBatch(PerBatch);
        for (var day = 0; day < Days; day++)
        {
            batch.Clear();
            for (var s = 0; s < PerBatch; s++)
            {
                var i = (day * PerBatch) + s;
                batch.Add(key, StoreTestData.Start + (i * Second)).Float(Telemetry.Voltage, 3.0 + (i % 3600 / 3600.0));
            }

            await store.WriteAsync(batch);
        }

        var query = Query(StoreTestData.Start, StoreTestData.Start + (Days * 86_400L * Second), 1000);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var frame = Assert.Single((await store.QueryAsync(query)).Series);
        watch.Stop();

        // 2 592 000 s / 1000 -> 2592 s ideal -> 3600 s buckets (Downsampling.NiceSeconds): one per hour, 720 in all.
        Assert.Equal(720, frame.Times.Length);
        // Each hour holds 3600 samples of 3.0 + k/3600, k = 0..3599: mean 3.0 + 3599/7200 (arithmetic series).
        Assert.All(frame.Fields[Telemetry.Voltage.Name].Values, mean => Assert.Equal(3.0 + (3599.0 / 7200), mean, 1e-9));
        Assert.All(frame.Fields[Telemetry.Voltage.Name].Count!, count => Assert.Equal(3600, count));
        Assert.True(watch.ElapsedMilliseconds < 1_000, $"30-day query took {watch.ElapsedMilliseconds} ms (budget 1000 ms; reads ≤ 720 hourly rollups)");
    }

    private static SeriesQuery Query(long from, long to, int maxPoints) => new()
    {
        Measurement = Telemetry.Measurement.Name,
        Fields = VoltageOnly,
        FromNs = from,
        ToNs = to,
        MaxPoints = maxPoints,
    };
}
