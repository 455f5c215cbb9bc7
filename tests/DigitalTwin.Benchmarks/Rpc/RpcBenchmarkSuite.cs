// `bench rpc`: unary calls/s and streamed messages/s on loopback for our gRPC runtime and @grpc/grpc-js,
// all four client→server pairings measured in the same run, printed with ratios ours/grpc-js.
using System.Globalization;
using System.Text;
using System.Text.Json;
using DigitalTwin.Rpc;
using DigitalTwin.ServiceDefaults;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Benchmarks.Rpc;

public sealed class RpcBenchmarkSuite : IBenchmarkSuite
{
    private static readonly Workload[] Workloads =
    [
        new("unary calls/s, 1 in flight", "unary", 1),
        new("unary calls/s, 64 in flight", "unary", 64),
        new("server-streamed messages/s", "server-stream", 1),
        new("client-streamed messages/s", "client-stream", 1),
    ];

    public string Name => "rpc";

    public string Description => "gRPC on loopback: our runtime vs @grpc/grpc-js (unary calls/s, streamed messages/s), all four pairings";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var output = context.Output;
        if (!NodePeer.IsInstalled)
        {
            output.WriteLine($"rpc: @grpc/grpc-js is not installed in {NodePeer.Directory}; run build/install-deps.sh bench (npm ci).");
            return false;
        }

        var warmup = TimeSpan.FromSeconds(context.Quick ? 0.3 : 0.5);
        var measure = TimeSpan.FromSeconds(context.Quick ? 1 : 2);
        var rounds = context.Quick ? 1 : 3;
        output.WriteLine($"rpc: {rounds} round(s) of {warmup.TotalSeconds:0.#} s warm-up + {measure.TotalSeconds:0.#} s per measurement, median reported; {Environment.ProcessorCount} cores; payloads {BenchLoad.UnaryPayloadSize} B unary, {BenchLoad.StreamMessageSize} B streamed");
        output.WriteLine($"rpc: load average before the run {LoadAverage()} (other work on the machine skews every number; ratios are from the same run)");

        await using var ours = SolverHost.Create(["--Rpc:Port=0"], o =>
        {
            o.ServiceName = "rpc-bench";
            o.MinimumLogLevel = LogLevel.Warning;
        });
        ours.MapRpcService(BenchService.Bind());
        await ours.StartAsync(context.CancellationToken);
        var ourAddress = ours.GetRpcAddresses()[0];
        using var jsServer = NodePeer.Start("bench_server.js", NodePeer.ProtoRoot);
        var listening = await jsServer.ReadLineAsync(TimeSpan.FromSeconds(30), context.CancellationToken);
        var jsAddress = new Uri("http://127.0.0.1:" + listening["LISTENING ".Length..]);

        var rows = new List<Row>();
        foreach (var workload in Workloads)
        {
            // Pairings interleave within each round, so a burst of outside load hits all of them alike.
            var samples = new List<double>[4];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = [];
            }

            for (var round = 0; round < rounds; round++)
            {
                samples[0].Add(await OurClientAsync(ourAddress, workload, warmup, measure, context.CancellationToken));
                samples[1].Add(await JsClientAsync(jsAddress, workload, warmup, measure, context.CancellationToken));
                samples[2].Add(await OurClientAsync(jsAddress, workload, warmup, measure, context.CancellationToken));
                samples[3].Add(await JsClientAsync(ourAddress, workload, warmup, measure, context.CancellationToken));
            }

            var row = new Row(workload.Title, Median(samples[0]), Median(samples[1]), Median(samples[2]), Median(samples[3]));
            rows.Add(row);
            output.WriteLine($"  measured {row.Title}");
        }

        output.WriteLine($"rpc: load average after the run {LoadAverage()}");
        await ours.StopAsync(context.CancellationToken);
        var table = Format(rows);
        output.WriteLine();
        output.Write(table);
        await File.WriteAllTextAsync(Path.Combine(context.ArtifactsDirectory, "rpc.md"), table, context.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(context.ArtifactsDirectory, "rpc.json"), JsonSerializer.Serialize(rows), context.CancellationToken);
        return true;
    }

    private static async Task<double> OurClientAsync(Uri address, Workload workload, TimeSpan warmup, TimeSpan measure, CancellationToken cancellationToken)
    {
        using var channel = RpcChannel.ForAddress(address);
        var load = new BenchLoad(new BenchServiceClient(channel));
        return await load.RunAsync(workload.Name, workload.Concurrency, warmup, measure, cancellationToken);
    }

    private static async Task<double> JsClientAsync(Uri address, Workload workload, TimeSpan warmup, TimeSpan measure, CancellationToken cancellationToken)
    {
        using var client = NodePeer.Start(
            "bench_client.js",
            $"127.0.0.1:{address.Port}",
            NodePeer.ProtoRoot,
            workload.Name,
            workload.Concurrency.ToString(CultureInfo.InvariantCulture),
            warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            measure.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        var line = await client.ReadLineAsync(warmup + measure + TimeSpan.FromSeconds(30), cancellationToken);
        using var result = JsonDocument.Parse(line);
        return result.RootElement.GetProperty("operations").GetDouble() / result.RootElement.GetProperty("seconds").GetDouble();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Format(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| workload | ours→ours | js→js | ours/js | our client→js server | js client→our server | client ratio | server ratio |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Title} | {row.OursToOurs:N0} | {row.JsToJs:N0} | {row.OursToOurs / row.JsToJs:0.00} | {row.OursToJs:N0} | {row.JsToOurs:N0} | {row.OursToJs / row.JsToJs:0.00} | {row.JsToOurs / row.JsToJs:0.00} |");
        }

        text.AppendLine();
        text.AppendLine("ours/js = ours→ours ÷ js→js; client ratio = our client ÷ grpc-js client, both calling the grpc-js server;");
        text.AppendLine("server ratio = our server ÷ grpc-js server, both called by the grpc-js client. Above 1.00 = ours is faster.");
        text.AppendLine("The single-threaded grpc-js peer caps the mixed pairings: a ratio near 1.00 there means the peer is the limit.");
        return text.ToString();
    }

    private sealed record Workload(string Title, string Name, int Concurrency);

    private sealed record Row(string Title, double OursToOurs, double JsToJs, double OursToJs, double JsToOurs);
}
