// The InfluxDB store against a real influxd: answers like the embedded store, keeps refused
// segments aside, writes through the v2 API (token, retries, 413 splitting) via the 1.8-style shim.
using System.Text.Json;
using DigitalTwin.TimeSeries.Embedded;
using DigitalTwin.TimeSeries.Influx;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;
using static DigitalTwin.TimeSeries.Schema.Measurements;

namespace DigitalTwin.TimeSeries.Tests;

[Collection(InfluxCollection.Name)]
public sealed class InfluxDbStoreTests(InfluxFixture fixture)
{
    // Same points, sums taken in another order: 1e-9 absolute on values of order 1.
    private const double Tolerance = 1e-9;
    private static readonly long Second = TimeUnits.NanosecondsPerSecond;

    [Fact]
    public async Task A_series_endpoint_that_is_influxd_is_read_with_influxql()
    {
        // influxd answers /ping with X-Influxdb-Version; the probe must hand queries to the InfluxDB reader.
        var database = Database();
        await using var influx = new InfluxDbStore(Options(database));
        var a = StoreTestData.Samples("a", StoreTestData.Start, 600, seed: 4);
        await influx.WriteAsync(StoreTestData.Batch(a, lot: "L1"));
        await Within.Seconds(60, influx.FlushAsync(), "influxd acknowledged the points");
        using var http = new HttpClient();
        var endpoint = new Remote.SeriesQueryEndpoint(http, fixture.Server.Endpoint, influx);
        var result = await Within.Seconds(30, endpoint.QueryAsync(new SeriesQuery
        {
            Measurement = Telemetry.Measurement.Name, Fields = [Telemetry.Voltage.Name], Raw = true,
            FromNs = StoreTestData.Start, ToNs = StoreTestData.Start + (600 * Second),
        }), "the query through the probed endpoint");
        Assert.Equal("influxdb", endpoint.Kind);
        Assert.Equal(600, Assert.Single(result.Series).Times.Length);
    }

    [Fact]
    public async Task Queries_answer_like_the_embedded_store()
    {
        var database = Database();
        var a = StoreTestData.Samples("a", StoreTestData.Start, 10_800, seed: 1);
        var b = StoreTestData.Samples("b", StoreTestData.Start + (7 * Second), 10_800, seed: 2);
        var x = StoreTestData.Samples("x", StoreTestData.Start, 5_000, seed: 3);
        var info = InfoBatch();
        await using var embedded = SqliteTimeSeriesStore.Open(StoreTestData.TempFile("parity.db"));
        await using var influx = new InfluxDbStore(Options(database));
        foreach (ITimeSeriesSink sink in new ITimeSeriesSink[] { embedded, influx })
        {
            foreach (var chunk in a.Concat(b).Chunk(5_000))
            {
                await sink.WriteAsync(StoreTestData.Batch(chunk, lot: "L1"));
            }

            await sink.WriteAsync(StoreTestData.Batch(x, lot: "L2"));
            await sink.WriteAsync(info);
            await Within.Seconds(60, sink.FlushAsync(), $"{sink.GetType().Name} flushed");
        }

        var fields = new[] { Telemetry.Voltage.Name, Telemetry.Current.Name, Telemetry.Cycle.Name };
        var lot = new Dictionary<string, string> { ["lot"] = "L1" };
        foreach (var maxPoints in new[] { 4, 50, 700, 5_000 })
        {
            var query = new SeriesQuery
            {
                Measurement = Telemetry.Measurement.Name, Fields = fields, Tags = lot, MaxPoints = maxPoints,
                FromNs = StoreTestData.Start - (5 * Second), ToNs = StoreTestData.Start + (10_900 * Second),
            };
            AssertSame(await embedded.QueryAsync(query), await influx.QueryAsync(query), $"{maxPoints} buckets");
            AssertSame(await embedded.QueryAsync(query with { Combine = true }), await influx.QueryAsync(query with { Combine = true }), $"{maxPoints} buckets, lot combined");
            AssertSame(await embedded.QueryAsync(query with { Raw = true }), await influx.QueryAsync(query with { Raw = true }), $"raw, limit {maxPoints * 10}");
        }

        var latest = new LatestQuery { Measurement = Telemetry.Measurement.Name };
        AssertSame(await embedded.LatestAsync(latest), await influx.LatestAsync(latest));
        var cellInfo = new LatestQuery { Measurement = CellInfo.Measurement.Name };
        AssertSame(await embedded.LatestAsync(cellInfo), await influx.LatestAsync(cellInfo));
        Assert.Equal(await embedded.TagValuesAsync(Telemetry.Measurement.Name, "cell"), await influx.TagValuesAsync(Telemetry.Measurement.Name, "cell"));
        Assert.Equal(["a", "b"], await influx.TagValuesAsync(Telemetry.Measurement.Name, "cell", lot));
    }

    [Fact]
    public async Task A_refused_segment_is_kept_aside_and_the_others_arrive()
    {
        var database = Database();
        var options = Options(database);
        await using var store = new InfluxDbStore(options);
        var key = StoreTestData.Cell("c1");
        var good = new PointBatch();
        good.Add(key, StoreTestData.Start).Float("voltage", 3.7);
        await store.WriteAsync(good);
        await Within.Seconds(30, store.FlushAsync(), "first point accepted");

        var conflicting = new PointBatch();
        conflicting.Add(key, StoreTestData.Start + Second).String("voltage", "3.8 V");
        await store.WriteAsync(conflicting);
        var later = new PointBatch();
        later.Add(key, StoreTestData.Start + (2 * Second)).Float("voltage", 3.9);
        await store.WriteAsync(later);
        await Within.Seconds(30, store.FlushAsync(), "refused and later segments finished");

        Assert.Equal(1, store.Status.RejectedSegments);
        var kept = Directory.GetFiles(Path.Combine(options.BufferDirectory, "rejected"), "*.lp");
        Assert.Single(kept);
        Assert.Contains("field type conflict", await File.ReadAllTextAsync(kept[0] + ".error.txt"), StringComparison.Ordinal);
        Assert.Equal(2, await CountAsync(fixture.Server.Endpoint, database, "telemetry", "voltage"));
    }

    [Fact]
    public async Task V2_writes_go_through_the_compatibility_endpoint_with_token_retries_and_splitting()
    {
        var database = Database();
        await CreateDatabaseAsync(fixture.Server.Endpoint, database);
        const string Token = "writer:secret";
        await using var shim = await InfluxV2Shim.StartAsync(fixture.Server.Endpoint, Token);
        shim.FailNext(2);
        shim.MaxBodyBytes = 40_000;
        var options = Options(database) with
        {
            Endpoint = shim.Endpoint, Api = InfluxApi.V2, Organization = "pilot-line", Bucket = database + "/autogen", Token = Token,
            MaxSegmentBytes = 150_000, Gzip = true,
        };
        await using var store = new InfluxDbStore(options);
        var points = StoreTestData.Samples("c1", StoreTestData.Start, 4_000);
        await store.WriteAsync(StoreTestData.Batch(points));
        await Within.Seconds(60, store.FlushAsync(), "v2 writes accepted through the shim");

        Assert.Equal(points.Count, await CountAsync(fixture.Server.Endpoint, database, "telemetry", "voltage"));
        Assert.True(store.Status.Retries >= 2, $"two injected 503s must be retried (retries: {store.Status.Retries})");
        Assert.True(shim.Accepted > store.Status.PendingSegments + 1, $"bodies over 40 kB must be split (accepted requests: {shim.Accepted})");
        Assert.Empty(shim.Problems);

        var rejected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var wrongToken = new InfluxDbStore(options with { Token = "writer:wrong", BufferDirectory = options.BufferDirectory + "-wrong", DrainOnDispose = TimeSpan.FromMilliseconds(10) });
        wrongToken.SendFailed += (_, message) => rejected.TrySetResult(message);
        await wrongToken.WriteAsync(StoreTestData.Batch(points.Take(10)));
        Assert.Contains("HTTP 401", await Within.Seconds(30, rejected.Task, "a 401 for the wrong token"), StringComparison.Ordinal);
        Assert.Equal(1, wrongToken.Status.PendingSegments);
    }

    internal static InfluxDbOptions Options(string database, Uri? endpoint = null, string? buffer = null) => new()
    {
        Endpoint = endpoint ?? new Uri("http://127.0.0.1:1/"),
        Database = database,
        BufferDirectory = buffer ?? Path.Combine(Path.GetTempPath(), "dt-series-tests", "buffer-" + database),
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(300),
    };

    private InfluxDbOptions Options(string database) => Options(database, fixture.Server.Endpoint);

    private static string Database() => "t" + Guid.NewGuid().ToString("N")[..12];

    internal static async Task<long> CountAsync(Uri endpoint, string database, string measurement, string field)
    {
        using var http = new HttpClient();
        var query = Uri.EscapeDataString($"SELECT count(\"{field}\") FROM \"{measurement}\"");
        var json = await http.GetStringAsync(new Uri(endpoint, $"query?db={database}&q={query}"));
        using var document = JsonDocument.Parse(json);
        var result = document.RootElement.GetProperty("results")[0];
        return result.TryGetProperty("series", out var series) ? series[0].GetProperty("values")[0][1].GetInt64() : 0;
    }

    internal static async Task CreateDatabaseAsync(Uri endpoint, string database)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{database}\"")]);
        (await http.PostAsync(new Uri(endpoint, "query"), content)).EnsureSuccessStatusCode();
    }

    private static PointBatch InfoBatch()
    {
        var batch = new PointBatch();
        foreach (var (cell, lot, status) in new[] { ("a", "L1", "cycling"), ("b", "L1", "resting"), ("x", "L2", "offline") })
        {
            batch.Add(SeriesKey.Create(CellInfo.Measurement, (Measurements.Tags.Cell, cell), (Measurements.Tags.Lot, lot)), StoreTestData.Start)
                .String(CellInfo.Chemistry, "NMC811/graphite").Float(CellInfo.NominalCapacity, 5.0).String(CellInfo.Status, status);
        }

        return batch;
    }

    private static void AssertSame(SeriesResult expected, SeriesResult actual, string what)
    {
        Assert.Equal(expected.BucketNs, actual.BucketNs);
        Assert.Equal(expected.Series.Count, actual.Series.Count);
        for (var s = 0; s < expected.Series.Count; s++)
        {
            var e = expected.Series[s];
            var a = actual.Series[s];
            Assert.Equal(e.Tags.OrderBy(t => t.Key), a.Tags.OrderBy(t => t.Key));
            Assert.True(e.Times.SequenceEqual(a.Times), $"{what}: bucket times differ for {string.Join(",", e.Tags)} ({e.Times.Length} vs {a.Times.Length})");
            foreach (var (name, column) in e.Fields)
            {
                var other = a.Fields[name];
                AssertClose(column.Values, other.Values, $"{what} {name} values");
                if (column.Count is not null)
                {
                    Assert.True(column.Count.SequenceEqual(other.Count!), $"{what} {name} counts: {string.Join(",", column.Count)} vs {string.Join(",", other.Count!)}");
                    AssertClose(column.Min!, other.Min!, $"{what} {name} min");
                    AssertClose(column.Max!, other.Max!, $"{what} {name} max");
                }
            }
        }
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(double.IsNaN(expected[i]) ? double.IsNaN(actual[i]) : Math.Abs(expected[i] - actual[i]) <= Tolerance,
                $"{what}[{i}]: {expected[i]} vs {actual[i]}");
        }
    }

    private static void AssertSame(IReadOnlyList<LatestPoint> expected, IReadOnlyList<LatestPoint> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].TimestampNs, actual[i].TimestampNs);
            Assert.Equal(expected[i].Tags.OrderBy(t => t.Key), actual[i].Tags.OrderBy(t => t.Key));
            Assert.Equal(expected[i].Fields.Select(f => f.ToString()).Order(), actual[i].Fields.Select(f => f.ToString()).Order());
        }
    }
}
