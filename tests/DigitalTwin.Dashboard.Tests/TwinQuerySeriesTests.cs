// TwinService.QuerySeries over the real gRPC runtime (our typed client, our server on loopback),
// answered by TwinSeriesQuery from the embedded store — in the same process, and owned by a Dashboard
// host and read through its POST /api/v1/query as the Twin host does: per cell with an interval, per lot
// combined, raw when it fits, the envelope, and every problem of a bad request at once.
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Twin.V1;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using DigitalTwin.TimeSeries.Embedded;
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Remote;
using DigitalTwin.TimeSeries.Rpc;
using DigitalTwin.TimeSeries.Schema;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace DigitalTwin.Dashboard.Tests;

public sealed class TwinQuerySeriesTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QuerySeries_answers_per_cell_per_lot_raw_and_reports_bad_requests(bool throughDashboard)
    {
        var root = Path.Combine(Path.GetTempPath(), "dt-twin-series", Guid.NewGuid().ToString("N"));
        await using var local = SqliteTimeSeriesStore.Open(Path.Combine(root, "store.db"));
        await using var dashboard = throughDashboard ? await DashboardHost.StartAsync(demo: false) : null;
        ITimeSeriesStore store = dashboard is null ? local : dashboard.App.Services.GetRequiredService<ITimeSeriesStore>();
        SeriesQueryEndpoint? remote = dashboard is null ? null : new SeriesQueryEndpoint(dashboard.Http, dashboard.BaseAddress, local);
        var samples = new Dictionary<string, double[]>();
        var batch = new PointBatch();
        foreach (var (cell, offset) in new[] { ("c1", 0.0), ("c2", 0.05) })
        {
            var key = SeriesKey.Create(Measurements.Telemetry.Measurement, (Measurements.Tags.Cell, cell), (Measurements.Tags.Lot, "L1"));
            var values = new double[3600];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = 3.2 + offset + (0.3 * Math.Sin(i / 300.0));
                batch.Add(key, Start.AddSeconds(i)).Float(Measurements.Telemetry.Voltage, values[i]).Float(Measurements.Telemetry.Current, 1.0);
            }

            samples[cell] = values;
        }

        await store.WriteAsync(batch);
        await using var app = SolverHost.Create(["--Rpc:Port=0"], o => o.ServiceName = "twin-series");
        app.MapRpcService(TwinServiceBase.Bind(new SeriesOnlyTwin(new TwinSeriesQuery((ITimeSeriesQuery?)remote ?? local))));
        await Within.Seconds(30, app.StartAsync(), "the gRPC host to start");
        using var channel = RpcChannel.ForAddress(app.GetRpcAddresses()[0]);
        var client = new TwinServiceClient(channel);
        var hour = new TimeRange { Start = Timestamp.FromDateTimeOffset(Start), End = Timestamp.FromDateTimeOffset(Start.AddHours(1)) };

        // One cell, 60 s buckets with the envelope: each bucket is the mean of its 60 samples.
        var perCell = await Within.Seconds(30, client.QuerySeriesAsync(new QuerySeriesRequest
        {
            CellId = "c1", Measurement = "telemetry", Fields = { "voltage" }, Range = hour,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(60)), IncludeEnvelope = true,
        }).ResponseAsync, "the per-cell answer");
        var series = Assert.Single(perCell.Series);
        Assert.Equal(("c1", "L1", "voltage", "V"), (series.CellId, series.LotId, series.Field, series.Unit));
        Assert.Equal(TimeSpan.FromSeconds(60), series.Interval.ToTimeSpan());
        Assert.Equal(60, series.Values.Count);
        for (var b = 0; b < 60; b++)
        {
            var bucket = samples["c1"].Skip(b * 60).Take(60).ToArray();
            Assert.Equal(60u, series.Counts[b]);
            Assert.Equal(bucket.Average(), series.Values[b], 1e-9);
            Assert.Equal(bucket.Min(), series.MinValues[b], 1e-12);
            Assert.Equal(bucket.Max(), series.MaxValues[b], 1e-12);
        }

        // The lot combined by MAX: the larger of the two cells in every bucket (c2 = c1 + 0.05 V).
        var lot = await Within.Seconds(30, client.QuerySeriesAsync(new QuerySeriesRequest
        {
            LotId = "L1", Measurement = "telemetry", Fields = { "voltage" }, Range = hour, MaxPoints = 10,
            LotAggregation = LotAggregation.Max,
        }).ResponseAsync, "the lot answer");
        var combined = Assert.Single(lot.Series);
        Assert.Equal(("", "L1"), (combined.CellId, combined.LotId));
        // 3600 s / 10 points = 360 s ideal -> the next nice width is 600 s (Downsampling.NiceSeconds): 6 buckets.
        Assert.Equal(TimeSpan.FromMinutes(10), combined.Interval.ToTimeSpan());
        Assert.Equal(6, combined.Values.Count);
        for (var b = 0; b < combined.Values.Count; b++)
        {
            Assert.Equal(samples["c2"].Skip(b * 600).Take(600).Max(), combined.Values[b], 1e-12);
        }

        // 100 s of one cell fits in the default max_points: the raw samples come back.
        var raw = await Within.Seconds(30, client.QuerySeriesAsync(new QuerySeriesRequest
        {
            CellId = "c1", Measurement = "telemetry", Fields = { "voltage" },
            Range = new TimeRange { Start = Timestamp.FromDateTimeOffset(Start), End = Timestamp.FromDateTimeOffset(Start.AddSeconds(100)) },
        }).ResponseAsync, "the raw answer");
        var points = Assert.Single(raw.Series);
        Assert.Equal(TimeSpan.Zero, points.Interval.ToTimeSpan());
        Assert.Equal(samples["c1"].Take(100), points.Values);

        var error = await Assert.ThrowsAsync<RpcException>(() => Within.Seconds(30, client.QuerySeriesAsync(new QuerySeriesRequest
        {
            Measurement = "telemetry", Fields = { "volts" }, Aggregation = Aggregation.First,
        }).ResponseAsync, "the refusal"));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("give cell_id or lot_id", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("field 'volts' is not in measurement 'telemetry'", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("aggregation First", error.Status.Detail, StringComparison.Ordinal);

        var unimplemented = await Assert.ThrowsAsync<RpcException>(() => Within.Seconds(30,
            client.GetCellAsync(new GetCellRequest { CellId = "c1" }).ResponseAsync, "the UNIMPLEMENTED answer"));
        Assert.Equal(StatusCode.Unimplemented, unimplemented.StatusCode);

        if (remote is not null)
        {
            // The other reads go over the Dashboard's REST API and keep their kinds: the last sample written for c1.
            var latest = Assert.Single(await Within.Seconds(30, remote.LatestAsync(new LatestQuery
            {
                Measurement = "telemetry", Tags = new Dictionary<string, string> { ["cell"] = "c1" },
            }), "the latest point through the dashboard"));
            Assert.Equal(TimeUnits.ToNanoseconds(Start.AddSeconds(3599)), latest.TimestampNs);
            Assert.Equal(samples["c1"][3599], latest.Field("voltage")!.Value.Float, 1e-12);
            Assert.Equal(["c1", "c2"], await Within.Seconds(30, remote.TagValuesAsync("telemetry", "cell", new Dictionary<string, string> { ["lot"] = "L1" }), "the cells of L1"));

            // A bad body is refused with every problem at once (400), as the REST API does.
            using var bad = new StringContent("""{"measurement":"","fields":[],"where_field":"issued_cycle"}""", System.Text.Encoding.UTF8, "application/json");
            using var refused = await Within.Seconds(30, dashboard!.Http.PostAsync("api/v1/query", bad), "the refusal of a bad body");
            var text = await refused.Content.ReadAsStringAsync();
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("'measurement' is required", text, StringComparison.Ordinal);
            Assert.Contains("'fields' must name at least one field", text, StringComparison.Ordinal);
            Assert.Contains("'where_field' and 'where_value' go together", text, StringComparison.Ordinal);
        }

        // The Twin host's reader probed the Dashboard's /ping and read its store, not the InfluxDB reader it was given.
        Assert.Equal(throughDashboard ? "dashboard" : null, remote?.Kind);
        await app.StopAsync();
    }

    private sealed class SeriesOnlyTwin(TwinSeriesQuery query) : TwinServiceBase
    {
        public override Task<QuerySeriesResponse> QuerySeries(QuerySeriesRequest request, ServerCallContext context) =>
            query.QueryAsync(request, context.CancellationToken);
    }
}
