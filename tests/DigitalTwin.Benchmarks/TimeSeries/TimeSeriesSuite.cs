// `timeseries` suite: write throughput (points/s, a point = one line of 6 fields) into the embedded
// SQLite store (bulk and fleet-shaped batches) and into a real influxd on loopback through the
// InfluxDB store (buffer → HTTP → acknowledged), beside the goals and beside influxd's own ceiling
// (pre-serialized line protocol POSTed directly, several batch sizes, writers, gzip, precision) with
// influxd's CPU time, plus the time to chart 30 days of 1 Hz data.
using System.Diagnostics;
using System.IO.Compression;
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
        // Beside wall-clock points/s: points per CPU-second of this process (all its threads: writer, GC, SQLite),
        // which the other work on a shared 2-core machine does not change.
        output.WriteLine($"{"sink",-10} {"workload",-40} {"points",11} {"seconds",8} {"points/s",12} {"goal",10} {"vs goal",8} {"pts/CPU-s",11} {"cores",6}");

        var upload = Workload(cells: 10, pointsPerCellPerBatch: 4_000, totalPoints: 3_000_000 / scale);
        var bulk = Workload(cells: 100, pointsPerCellPerBatch: 100, totalPoints: 3_000_000 / scale);
        var fleet = Workload(cells: 10_000, pointsPerCellPerBatch: 1, totalPoints: 3_000_000 / scale);
        var embeddedUpload = await EmbeddedAsync(Path.Combine(dir, "upload.db"), upload, context.CancellationToken);
        Row(output, "embedded", "10 cells × 4000 samples per batch (upload)", upload.Points, embeddedUpload.Wall, EmbeddedGoal, embeddedUpload.Cpu);
        var embeddedBulk = await EmbeddedAsync(Path.Combine(dir, "bulk.db"), bulk, context.CancellationToken);
        Row(output, "embedded", "100 cells × 100 samples per batch", bulk.Points, embeddedBulk.Wall, EmbeddedGoal, embeddedBulk.Cpu);
        var embeddedFleet = await EmbeddedAsync(Path.Combine(dir, "fleet.db"), fleet, context.CancellationToken);
        Row(output, "embedded", "10 000 cells × 1 sample per batch", fleet.Points, embeddedFleet.Wall, EmbeddedGoal, embeddedFleet.Cpu);

        var serialize = Serialize(bulk);
        Row(output, "(client)", "line protocol serialization only", bulk.Points, serialize, double.NaN);

        // influxd on this 2-core machine shares its cores with everything else, so besides wall-clock points/s each
        // row gives points per influxd CPU-second (load-independent) and the cores influxd got. A fresh, write-tuned
        // influxd for each row: a second run on the same server pays for compacting the first's data.
        output.WriteLine();
        output.WriteLine($"{"influxdb (tuned: InfluxDbServer.IngestTuning)",-58} {"points",11} {"seconds",8} {"points/s",10} {"pts/influxd-CPU-s",18} {"cores",6} {"vs goal",8}");
        var influxWork = context.Quick ? bulk : Workload(cells: 100, pointsPerCellPerBatch: 100, totalPoints: 1_500_000);
        var peers = new List<(string Name, InfluxRun Run)>();
        foreach (var variant in CeilingVariants)
        {
            var run = await WithInfluxAsync(server => CeilingAsync(server, influxWork, variant, context.CancellationToken));
            peers.Add((variant.Name, run));
            InfluxRow(output, "peer: raw POSTs, " + variant.Name, influxWork.Points, run);
        }

        var ours = await WithInfluxAsync(server => InfluxAsync(server, Path.Combine(dir, "influx-buffer"), influxWork, context.CancellationToken));
        InfluxRow(output, "ours: InfluxDbStore, 100 cells × 100 samples, until acked", influxWork.Points, ours);
        var best = peers.MaxBy(p => p.Run.Rate);
        var same = peers[0];
        output.WriteLine($"ours / peer ({same.Name}, what our store sends): wall {ours.Rate / same.Run.Rate:0.00}, per influxd CPU-s {ours.PerCpu / same.Run.PerCpu:0.00}; " +
            $"ours / best peer ({best.Name}): wall {ours.Rate / best.Run.Rate:0.00}.");
        output.WriteLine($"On 2 free cores influxd alone would take ≈ {2 * same.Run.PerCpu:N0} points/s (2 × points per influxd CPU-s), vs the goal {InfluxGoal:N0}; load average now {LoadAverage()}.");
        output.WriteLine();

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

    private static async Task<(double Wall, double Cpu)> EmbeddedAsync(string path, WorkloadData work, CancellationToken cancellationToken)
    {
        using var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using (var store = SqliteTimeSeriesStore.Open(path))
        {
            foreach (var batch in work.Batches)
            {
                await store.WriteAsync(batch, cancellationToken);
            }

            await store.CheckpointAsync(cancellationToken);
        }

        var wall = watch.Elapsed.TotalSeconds;
        self.Refresh();
        return (wall, (self.TotalProcessorTime - cpu0).TotalSeconds);
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

    private sealed record InfluxRun(long Points, double Seconds, double CpuSeconds)
    {
        public double Rate => Points / Seconds;

        public double PerCpu => Points / CpuSeconds;

        public double Cores => CpuSeconds / Seconds;
    }

    /// <summary>How the raw peer POSTs: lines per request, requests in flight, gzip bodies, timestamp precision.</summary>
    private sealed record CeilingVariant(string Name, int LinesPerRequest, int Writers, bool Gzip, string Precision);

    // The first is what our store sends (≈ 4 MB bodies ≈ 25 000 lines, 2 in flight, ns); the others are the usual advice.
    private static readonly CeilingVariant[] CeilingVariants =
    [
        new("25k lines, 2 writers, ns", 25_000, 2, false, "ns"),
        new("10k lines, 2 writers, ns", 10_000, 2, false, "ns"),
        new("5k lines, 2 writers, ns", 5_000, 2, false, "ns"),
        new("10k lines, 4 writers, ns", 10_000, 4, false, "ns"),
        new("10k lines, 2 writers, gzip", 10_000, 2, true, "ns"),
        new("10k lines, 2 writers, s", 10_000, 2, false, "s"),
    ];

    private static async Task<(long Points, double Seconds)> TimedAsync(Func<Task<long>> run, InfluxDbServer server, Action<double> cpu)
    {
        var cpu0 = server.CpuTime;
        var watch = Stopwatch.StartNew();
        var points = await run();
        var seconds = watch.Elapsed.TotalSeconds;
        cpu((server.CpuTime - cpu0).TotalSeconds);
        return (points, seconds);
    }

    private static async Task<InfluxRun> WithInfluxAsync(Func<InfluxDbServer, Task<InfluxRun>> run)
    {
        await using var server = await InfluxDbServer.StartAsync(dataSettings: InfluxDbServer.IngestTuning);
        return await run(server);
    }

    private static async Task<InfluxRun> InfluxAsync(InfluxDbServer server, string buffer, WorkloadData work, CancellationToken cancellationToken)
    {
        if (Directory.Exists(buffer))
        {
            Directory.Delete(buffer, recursive: true);
        }

        var options = new InfluxDbOptions { Endpoint = server.Endpoint, Database = "bench", BufferDirectory = buffer, MaxBufferBytes = 2L << 30 };
        await using var store = new InfluxDbStore(options);
        var warm = new PointBatch();
        warm.Add(SeriesKey.Create("warmup", [new("k", "v")]), Start).Float("f", 1);
        await store.WriteAsync(warm, cancellationToken);
        await store.FlushAsync(cancellationToken);

        var cpu = 0.0;
        var (points, seconds) = await TimedAsync(async () =>
        {
            foreach (var batch in work.Batches)
            {
                await store.WriteAsync(batch, cancellationToken);
            }

            await store.FlushAsync(cancellationToken);
            return work.Points;
        }, server, c => cpu = c);
        return new InfluxRun(points, seconds, cpu);
    }

    /// <summary>influxd alone: the same points serialized beforehand (not timed), POSTed as the variant says.</summary>
    private static async Task<InfluxRun> CeilingAsync(InfluxDbServer server, WorkloadData work, CeilingVariant variant, CancellationToken cancellationToken)
    {
        var divisor = variant.Precision == "s" ? TimeUnits.NanosecondsPerSecond : 1;
        var bodies = new List<byte[]>();
        var writer = new LineProtocolWriter(8 << 20);
        var lines = 0;
        void Cut()
        {
            var text = writer.Written.ToArray();
            if (divisor != 1)
            {
                text = CoarserTimestamps(text, divisor);
            }

            if (variant.Gzip)
            {
                using var compressed = new MemoryStream();
                using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(text);
                }

                text = compressed.ToArray();
            }

            bodies.Add(text);
            writer.Reset();
            lines = 0;
        }

        foreach (var batch in work.Batches)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                writer.AppendPoint(batch, i);
                if (++lines == variant.LinesPerRequest)
                {
                    Cut();
                }
            }
        }

        if (lines > 0)
        {
            Cut();
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = variant.Writers }) { BaseAddress = server.Endpoint, Timeout = TimeSpan.FromMinutes(5) };
        using (var create = new FormUrlEncodedContent([new("q", "CREATE DATABASE \"ceiling\"")]))
        {
            (await http.PostAsync("query", create, cancellationToken)).EnsureSuccessStatusCode();
        }

        var next = -1;
        var cpu = 0.0;
        var (points, seconds) = await TimedAsync(async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, variant.Writers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < bodies.Count)
                {
                    using var content = new ByteArrayContent(bodies[i]);
                    content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                    if (variant.Gzip)
                    {
                        content.Headers.ContentEncoding.Add("gzip");
                    }

                    using var response = await http.PostAsync($"write?db=ceiling&precision={variant.Precision}", content, cancellationToken);
                    response.EnsureSuccessStatusCode();
                }
            }));
            return work.Points;
        }, server, c => cpu = c);
        return new InfluxRun(points, seconds, cpu);
    }

    /// <summary>Line protocol with every line's trailing nanosecond timestamp divided (the points are whole seconds).</summary>
    private static byte[] CoarserTimestamps(byte[] text, long divisor)
    {
        var output = new MemoryStream(text.Length);
        var start = 0;
        while (start < text.Length)
        {
            var end = Array.IndexOf(text, (byte)'\n', start);
            end = end < 0 ? text.Length : end;
            var space = Array.LastIndexOf(text, (byte)' ', end - 1, end - start);
            var stamp = long.Parse(text.AsSpan(space + 1, end - space - 1), System.Globalization.CultureInfo.InvariantCulture) / divisor;
            output.Write(text, start, space + 1 - start);
            output.Write(System.Text.Encoding.ASCII.GetBytes(stamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
            start = end + 1;
        }

        return output.ToArray();
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static void InfluxRow(TextWriter output, string what, long points, InfluxRun run) =>
        output.WriteLine($"{what,-58} {points,11:N0} {run.Seconds,8:0.00} {run.Rate,10:N0} {run.PerCpu,18:N0} {run.Cores,6:0.00} {run.Rate / InfluxGoal,7:0.00}x");

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

    private static void Row(TextWriter output, string sink, string workload, long points, double seconds, double goal, double cpuSeconds = double.NaN)
    {
        var rate = points / seconds;
        var goalText = double.IsNaN(goal) ? "" : $"{goal:N0}";
        var ratio = double.IsNaN(goal) ? "" : $"{rate / goal:0.00}x";
        var perCpu = double.IsNaN(cpuSeconds) ? "" : $"{points / cpuSeconds:N0}";
        var cores = double.IsNaN(cpuSeconds) ? "" : $"{cpuSeconds / seconds:0.00}";
        output.WriteLine($"{sink,-10} {workload,-40} {points,11:N0} {seconds,8:0.00} {rate,12:N0} {goalText,10} {ratio,8} {perCpu,11} {cores,6}");
    }
}
