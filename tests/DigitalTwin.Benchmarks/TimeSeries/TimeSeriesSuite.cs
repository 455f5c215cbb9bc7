// `timeseries` suite: write throughput (points/s, a point = one line of 6 fields) into the embedded
// SQLite store (bulk and fleet-shaped batches) and into a real influxd on loopback through the
// InfluxDB store (buffer → HTTP → acknowledged), beside the goals and beside influxd's own ceiling
// (pre-serialized line protocol POSTed directly), plus the time to chart 30 days of 1 Hz data.
using System.Diagnostics;
using System.Net.Http.Headers;
using DigitalTwin.Testing;
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Embedded;
using DigitalTwin.TimeSeries.Influx;
using DigitalTwin.TimeSeries.LineProtocol;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.Benchmarks.TimeSeries;

public sealed class TimeSeriesSuite : IBenchmarkSuite
{
    private const double EmbeddedGoal = 500_000;
    private const double InfluxGoal = 200_000;
    private static readonly long Start = TimeUnits.ToNanoseconds(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public string Name => "timeseries";

    public string Description => "write points/s to the embedded store and to influxd (loopback), against the goals and influxd's own ceiling";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var output = context.Output;
        var scale = context.Quick ? 10 : 1;
        var dir = Path.Combine(context.ArtifactsDirectory, "timeseries");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        output.WriteLine($"{"sink",-10} {"workload",-40} {"points",11} {"seconds",8} {"points/s",12} {"goal",10} {"vs goal",8}");

        var upload = Workload(cells: 10, pointsPerCellPerBatch: 4_000, totalPoints: 3_000_000 / scale);
        var bulk = Workload(cells: 100, pointsPerCellPerBatch: 100, totalPoints: 3_000_000 / scale);
        var fleet = Workload(cells: 10_000, pointsPerCellPerBatch: 1, totalPoints: 3_000_000 / scale);
        var embeddedUpload = await EmbeddedAsync(Path.Combine(dir, "upload.db"), upload, context.CancellationToken);
        Row(output, "embedded", "10 cells × 4000 samples per batch (upload)", upload.Points, embeddedUpload, EmbeddedGoal);
        var embeddedBulk = await EmbeddedAsync(Path.Combine(dir, "bulk.db"), bulk, context.CancellationToken);
        Row(output, "embedded", "100 cells × 100 samples per batch", bulk.Points, embeddedBulk, EmbeddedGoal);
        var embeddedFleet = await EmbeddedAsync(Path.Combine(dir, "fleet.db"), fleet, context.CancellationToken);
        Row(output, "embedded", "10 000 cells × 1 sample per batch", fleet.Points, embeddedFleet, EmbeddedGoal);

        var serialize = Serialize(bulk);
        Row(output, "(client)", "line protocol serialization only", bulk.Points, serialize, double.NaN);

        // A fresh influxd for each run: a second run on the same server pays for compacting the first's data.
        double influx, ceiling;
        await using (var server = await InfluxDbServer.StartAsync())
        {
            influx = await InfluxAsync(server.Endpoint, Path.Combine(dir, "influx-buffer"), bulk, context.CancellationToken);
        }

        Row(output, "influxdb", "100 cells × 100 samples, v1, until acked", bulk.Points, influx, InfluxGoal);
        await using (var server = await InfluxDbServer.StartAsync())
        {
            ceiling = await CeilingAsync(server.Endpoint, bulk, context.CancellationToken);
        }

        Row(output, "influxdb", "peer: influxd ceiling, raw POSTs, 2 in flight", bulk.Points, ceiling, InfluxGoal);
        output.WriteLine($"InfluxDB store throughput / influxd ceiling throughput: {ceiling / influx:0.00} (1.00 = the store costs nothing on top of influxd).");

        var month = await MonthQueryAsync(Path.Combine(dir, "month.db"), context.Quick ? 7 : 30, context.CancellationToken);
        output.WriteLine($"embedded query: {month.Days} days of 1 Hz ({month.Points:N0} points, one series) in 1000 buckets: {month.Milliseconds:0.0} ms ({month.Buckets} buckets from the rollups).");
        output.WriteLine("Embedded rows: an upload writes its chunks directly; 100 samples per cell go through the log and the head;");
        output.WriteLine("10 000 cells × 1 sample is the live twin's shape (one point per cell per flush), the slowest per point.");
        output.WriteLine("A point is one line with 6 fields (4 floats, 2 integers); seconds are wall clock from the first write until durable (embedded) or acknowledged by influxd.");
        return true;
    }

    private sealed record WorkloadData(List<PointBatch> Batches, long Points);

    /// <summary>Telemetry-shaped points: each batch holds pointsPerCellPerBatch consecutive 1 Hz samples of every cell.</summary>
    private static WorkloadData Workload(int cells, int pointsPerCellPerBatch, long totalPoints)
    {
        var keys = Enumerable.Range(0, cells).Select(c => SeriesKey.Create(Measurements.Telemetry.Measurement,
            (Measurements.Tags.Cell, $"C{c:00000}"), (Measurements.Tags.Lot, $"L{c % 20:00}"))).ToArray();
        var batches = new List<PointBatch>();
        var perBatch = cells * pointsPerCellPerBatch;
        var step = 0L;
        for (long written = 0; written < totalPoints; written += perBatch)
        {
            var batch = new PointBatch(perBatch);
            for (var s = 0; s < pointsPerCellPerBatch; s++, step++)
            {
                var t = Start + (step * TimeUnits.NanosecondsPerSecond);
                for (var c = 0; c < cells; c++)
                {
                    batch.Add(keys[c], t)
                        .Float(Measurements.Telemetry.Voltage, 3.3 + (0.4 * Math.Sin((step + c) / 600.0)))
                        .Float(Measurements.Telemetry.Current, ((step / 1800) % 2 == 0 ? 1.1 : -4.4) + (c * 1e-4))
                        .Float(Measurements.Telemetry.Temperature, 25 + ((step % 900) / 90.0))
                        .Float(Measurements.Telemetry.ChargeCapacity, (step % 3600) / 3600.0)
                        .Integer(Measurements.Telemetry.Cycle, 1 + (step / 3600))
                        .Integer(Measurements.Telemetry.Step, 1 + ((step / 600) % 6));
                }
            }

            batches.Add(batch);
        }

        return new WorkloadData(batches, batches.Sum(b => (long)b.Count));
    }

    private static async Task<double> EmbeddedAsync(string path, WorkloadData work, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using (var store = SqliteTimeSeriesStore.Open(path))
        {
            foreach (var batch in work.Batches)
            {
                await store.WriteAsync(batch, cancellationToken);
            }

            await store.CheckpointAsync(cancellationToken);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static double Serialize(WorkloadData work)
    {
        var writer = new LineProtocolWriter(8 << 20);
        var watch = Stopwatch.StartNew();
        foreach (var batch in work.Batches)
        {
            writer.Reset();
            writer.Append(batch);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> InfluxAsync(Uri endpoint, string buffer, WorkloadData work, CancellationToken cancellationToken)
    {
        var options = new InfluxDbOptions { Endpoint = endpoint, Database = "bench", BufferDirectory = buffer, MaxBufferBytes = 2L << 30 };
        await using var store = new InfluxDbStore(options);
        var warm = new PointBatch();
        warm.Add(SeriesKey.Create("warmup", [new("k", "v")]), Start).Float("f", 1);
        await store.WriteAsync(warm, cancellationToken);
        await store.FlushAsync(cancellationToken);

        var watch = Stopwatch.StartNew();
        foreach (var batch in work.Batches)
        {
            await store.WriteAsync(batch, cancellationToken);
        }

        await store.FlushAsync(cancellationToken);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>influxd alone: the same points already serialized, POSTed in 4 MB bodies with two requests in flight.</summary>
    private static async Task<double> CeilingAsync(Uri endpoint, WorkloadData work, CancellationToken cancellationToken)
    {
        var bodies = new List<byte[]>();
        var writer = new LineProtocolWriter(8 << 20);
        foreach (var batch in work.Batches)
        {
            writer.Append(batch);
            if (writer.Length > 4 << 20)
            {
                bodies.Add(writer.Written.ToArray());
                writer.Reset();
            }
        }

        if (writer.Length > 0)
        {
            bodies.Add(writer.Written.ToArray());
        }

        using var http = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(5) };
        using (var create = new FormUrlEncodedContent([new("q", "CREATE DATABASE \"ceiling\"")]))
        {
            (await http.PostAsync("query", create, cancellationToken)).EnsureSuccessStatusCode();
        }

        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                (await http.PostAsync("write?db=ceiling&precision=ns", content, cancellationToken)).EnsureSuccessStatusCode();
            }
        }));
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<(int Days, long Points, double Milliseconds, int Buckets)> MonthQueryAsync(string path, int days, CancellationToken cancellationToken)
    {
        await using var store = SqliteTimeSeriesStore.Open(path);
        var key = SeriesKey.Create(Measurements.Telemetry.Measurement, (Measurements.Tags.Cell, "C1"), (Measurements.Tags.Lot, "L1"));
        var batch = new PointBatch(86_400);
        for (var day = 0; day < days; day++)
        {
            batch.Clear();
            for (var s = 0; s < 86_400; s++)
            {
                var i = (day * 86_400L) + s;
                batch.Add(key, Start + (i * TimeUnits.NanosecondsPerSecond)).Float(Measurements.Telemetry.Voltage, 3.0 + (i % 3600 / 3600.0));
            }

            await store.WriteAsync(batch, cancellationToken);
        }

        await store.CheckpointAsync(cancellationToken);
        var query = new SeriesQuery
        {
            Measurement = Measurements.Telemetry.Measurement.Name, Fields = [Measurements.Telemetry.Voltage.Name],
            FromNs = Start, ToNs = Start + (days * 86_400L * TimeUnits.NanosecondsPerSecond), MaxPoints = 1000,
        };
        await store.QueryAsync(query, cancellationToken);
        var best = double.MaxValue;
        var buckets = 0;
        for (var run = 0; run < 5; run++)
        {
            var watch = Stopwatch.StartNew();
            var result = await store.QueryAsync(query, cancellationToken);
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
            buckets = result.Series[0].Times.Length;
        }

        return (days, days * 86_400L, best, buckets);
    }

    private static void Row(TextWriter output, string sink, string workload, long points, double seconds, double goal)
    {
        var rate = points / seconds;
        var goalText = double.IsNaN(goal) ? "" : $"{goal:N0}";
        var ratio = double.IsNaN(goal) ? "" : $"{rate / goal:0.00}x";
        output.WriteLine($"{sink,-10} {workload,-40} {points,11:N0} {seconds,8:0.00} {rate,12:N0} {goalText,10} {ratio,8}");
    }
}
