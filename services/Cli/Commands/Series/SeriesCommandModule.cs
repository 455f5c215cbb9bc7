// `twin series`: the measurement schema, queries against a store (embedded file or InfluxDB), and
// the demo fleet written into a store, InfluxDB or a running dashboard (its InfluxDB-compatible /write).
using System.CommandLine;
using System.Globalization;
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Demo;
using DigitalTwin.TimeSeries.Embedded;
using DigitalTwin.TimeSeries.Influx;
using DigitalTwin.TimeSeries.Points;
using DigitalTwin.TimeSeries.Schema;

namespace DigitalTwin.Cli.Commands.Series;

public sealed class SeriesCommandModule : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        var series = new Command("series", "Time-series store: schema, queries, demo data");
        series.Subcommands.Add(Schema());
        series.Subcommands.Add(Query());
        series.Subcommands.Add(Demo());
        return [series];
    }

    private static Command Schema()
    {
        var measurement = new Option<string?>("--measurement") { Description = "Only this measurement" };
        var command = new Command("schema", "Print the measurement catalog: tags, fields, units") { measurement };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(measurement);
            foreach (var m in Measurements.All.Where(m => name is null || m.Name == name))
            {
                Console.WriteLine($"{m.Name}  [{string.Join(", ", m.Tags.Select(t => t.Name))}]  {m.Description}");
                foreach (var f in m.Fields)
                {
                    Console.WriteLine($"  {f.Name,-26} {f.Kind.ToString().ToLowerInvariant(),-8} {f.Unit,-8} {f.Description}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Query()
    {
        var store = StoreOptions();
        var measurement = new Option<string>("--measurement") { Description = "Measurement, e.g. telemetry", Required = true };
        var fields = new Option<string>("--fields") { Description = "Comma-separated fields", Required = true };
        var cell = new Option<string?>("--cell") { Description = "Only this cell" };
        var lot = new Option<string?>("--lot") { Description = "Only this lot" };
        var from = new Option<string>("--from") { Description = "Start: ISO 8601 or a span back from now (15m, 6h, 30d)", DefaultValueFactory = _ => "1h" };
        var points = new Option<int>("--points") { Description = "Buckets per series", DefaultValueFactory = _ => 20 };
        var raw = new Option<bool>("--raw") { Description = "Raw points instead of buckets" };
        var command = new Command("query", "Print a series from a store, downsampled") { measurement, fields, cell, lot, from, points, raw };
        store.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            if (store.IsDashboard(parse))
            {
                Console.Error.WriteLine("--to a dashboard can only be written to; query its REST API (/api/v1/series) or the store behind it.");
                return 2;
            }

            await using ITimeSeriesStore reader = store.Open(parse);

            var tags = new Dictionary<string, string>();
            if (parse.GetValue(cell) is { } c)
            {
                tags["cell"] = c;
            }

            if (parse.GetValue(lot) is { } l)
            {
                tags["lot"] = l;
            }

            var now = DateTimeOffset.UtcNow;
            var query = new SeriesQuery
            {
                Measurement = parse.GetValue(measurement)!,
                Fields = parse.GetValue(fields)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Tags = tags,
                FromNs = TimeUnits.ToNanoseconds(ParseFrom(parse.GetValue(from)!, now)),
                ToNs = TimeUnits.ToNanoseconds(now),
                MaxPoints = parse.GetValue(points),
                Raw = parse.GetValue(raw),
            };
            var result = await reader.QueryAsync(query, cancel);
            var definition = Measurements.Find(query.Measurement);
            foreach (var frame in result.Series)
            {
                Console.WriteLine(string.Join(" ", frame.Tags.Select(t => $"{t.Key}={t.Value}")) +
                    (result.BucketNs > 0 ? $"  ({result.BucketNs / TimeUnits.NanosecondsPerSecond} s buckets, mean)" : "  (raw)"));
                Console.WriteLine($"{"time (UTC)",-20} " + string.Join(" ", query.Fields.Select(f => $"{definition?.FindField(f)?.Label ?? f,24}")));
                for (var i = 0; i < frame.Times.Length; i++)
                {
                    Console.WriteLine($"{TimeUnits.FromNanoseconds(frame.Times[i]):yyyy-MM-dd HH:mm:ss} " + string.Join(" ",
                        query.Fields.Select(f => frame.Fields[f].Text?[i] is { } text ? $"{text,24}"
                        : double.IsNaN(frame.Fields[f].Values[i]) ? $"{"–",24}" : $"{frame.Fields[f].Values[i],24:G6}")));
                }
            }

            if (result.Series.Count == 0)
            {
                Console.WriteLine("no data in range");
            }

            return 0;
        });
        return command;
    }

    private static Command Demo()
    {
        var store = StoreOptions();
        var source = new Option<FileInfo?>("--source") { Description = "Cycler file to replay (default: the shared arbin_example.csv)" };
        var cells = new Option<int>("--cells") { Description = "Demo cells", DefaultValueFactory = _ => 8 };
        var speed = new Option<double>("--speed") { Description = "Replay speed (file seconds per second)", DefaultValueFactory = _ => 20 };
        var history = new Option<int>("--history") { Description = "Cycles of history before now", DefaultValueFactory = _ => 150 };
        var live = new Option<bool>("--live") { Description = "Keep replaying live until Ctrl-C (otherwise history only)" };
        var command = new Command("demo", "Write the demo fleet (a real cycler file replayed as several cells) into a store") { source, cells, speed, history, live };
        store.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var path = parse.GetValue(source)?.FullName ?? DemoSource.LocateDefault();
            if (path is null || !File.Exists(path))
            {
                Console.Error.WriteLine("Demo source not found: pass --source FILE or set DIGITALTWIN_SHARED.");
                return 2;
            }

            await using var sink = store.Open(parse);
            var fleet = new DemoFleet(sink, DemoSource.Load(path), new DemoFleetOptions
            {
                Cells = parse.GetValue(cells),
                Speed = parse.GetValue(speed),
                HistoryCycles = parse.GetValue(history),
                LiveReplay = parse.GetValue(live),
            });
            Console.WriteLine($"demo: {fleet.CellIds.Count} cells from {Path.GetFileName(path)} -> {store.Describe(parse)}");
            await fleet.WriteHistoryAsync(cancel);
            Console.WriteLine($"demo: history written ({fleet.PointsWritten:N0} points)");
            if (parse.GetValue(live))
            {
                Console.WriteLine("demo: replaying live, Ctrl-C to stop");
                try
                {
                    await fleet.ReplayAsync(cancel);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    Console.WriteLine($"demo: stopped after {fleet.PointsWritten:N0} points");
                }
            }

            await sink.FlushAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static DateTimeOffset ParseFrom(string text, DateTimeOffset now)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        var unit = text[^1] switch { 's' => 1.0, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => double.NaN };
        if (double.IsNaN(unit) || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            throw new ArgumentException($"--from '{text}' is neither ISO 8601 nor a span like 15m, 6h, 30d.");
        }

        return now - TimeSpan.FromSeconds(amount * unit);
    }

    private static StoreSelection StoreOptions() => new();

    /// <summary>Where to read or write: --file (embedded), --influx URL (InfluxDB), --to URL (a dashboard's /write).</summary>
    private sealed class StoreSelection
    {
        private readonly Option<FileInfo?> _file = new("--file") { Description = "Embedded store file (SQLite)" };
        private readonly Option<string?> _influx = new("--influx") { Description = "InfluxDB address, e.g. http://127.0.0.1:8086" };
        private readonly Option<string?> _to = new("--to") { Description = "A running dashboard, e.g. http://127.0.0.1:5000 (writes through its /write)" };
        private readonly Option<string> _database = new("--db") { Description = "InfluxDB database", DefaultValueFactory = _ => "digitaltwin" };
        private readonly Option<string?> _token = new("--token") { Description = "v2 token (InfluxDB 2.x) or the dashboard's write key" };
        private readonly Option<string?> _org = new("--org") { Description = "v2 organization (with --token)" };
        private readonly Option<string?> _bucket = new("--bucket") { Description = "v2 bucket (with --token)" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _file, _influx, _to, _database, _token, _org, _bucket })
            {
                command.Options.Add(option);
            }
        }

        public bool IsDashboard(ParseResult parse) => parse.GetValue(_to) is not null;

        public string Describe(ParseResult parse) =>
            parse.GetValue(_file)?.FullName ?? parse.GetValue(_influx) ?? parse.GetValue(_to) ?? "data/timeseries.db";

        public ITimeSeriesStore Open(ParseResult parse)
        {
            var endpoint = parse.GetValue(_influx) ?? parse.GetValue(_to);
            if (endpoint is null)
            {
                return SqliteTimeSeriesStore.Open(parse.GetValue(_file)?.FullName ?? Path.Combine("data", "timeseries.db"));
            }

            var token = parse.GetValue(_token);
            var v2 = token is not null;
            return new InfluxDbStore(new InfluxDbOptions
            {
                Endpoint = new Uri(endpoint.EndsWith('/') ? endpoint : endpoint + "/"),
                Api = v2 ? InfluxApi.V2 : InfluxApi.V1,
                Database = parse.GetValue(_database)!,
                Organization = v2 ? parse.GetValue(_org) ?? "digitaltwin" : null,
                Bucket = v2 ? parse.GetValue(_bucket) ?? parse.GetValue(_database) : null,
                Token = token,
                BufferDirectory = Path.Combine(Path.GetTempPath(), "twin-series-buffer", Uri.EscapeDataString(endpoint)),
            });
        }
    }
}
