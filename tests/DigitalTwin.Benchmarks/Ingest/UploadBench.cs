// Upload-to-durable rows/s through the Ingest service (a child process on loopback): a 1 M-row Arbin CSV and a 1 M-row
// Maccor export each over gRPC UploadFile (1 MiB chunks), HTTP raw body and HTTP multipart, and 1 M already-normalized
// live samples over gRPC IngestSamples, each timed from the first byte sent to the durable acknowledgement; the
// service's peak RSS. Peer, in the same run: pandas.read_csv + DataFrame.to_pickle + fsync of the same file.
using System.Diagnostics;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Rpc;
using DigitalTwin.Testing;
using Google.Protobuf;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Benchmarks.Ingest;

internal static class UploadBench
{
    public const string Key = "bench-key";

    public static async Task<bool> RunAsync(BenchmarkContext context, string arbin, string maccor, string directory)
    {
        var output = context.Output;
        var data = Path.Combine(directory, "service-data");
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        var rows = new Dictionary<string, double>();
        using (var service = await IngestChild.StartServiceAsync(data, Key))
        using (var channel = RpcChannel.ForAddress(service.GrpcAddress!, new RpcChannelOptions { InitialStreamWindowSize = 8 << 20 }))
        {
            var client = new TelemetryServiceClient(channel);

            // Warm-up (a service runs for months; the first calls of a fresh process run unoptimized code).
            await UploadGrpcAsync(client, SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
            await UploadHttpAsync(service.HttpAddress!, SharedData.DataFile("cycler", "maccor_txt", "xTESLADIAG_000038test.078"), multipart: false);
            await UploadHttpAsync(service.HttpAddress!, SharedData.DataFile("cycler", "maccor_txt", "xTESLADIAG_000038test.078"), multipart: true);
            await IngestLiveAsync(client, 50_000);

            // One full-size upload unmeasured: the first large file ran 2-3x slower in every run (code still tiering up,
            // pools and the log segment growing), whichever transport came first.
            await UploadGrpcAsync(client, arbin, 64 << 10);
            Timings = string.Empty;

            foreach (var (name, path) in new[] { ("Arbin CSV", arbin), ("Maccor text", maccor) })
            {
                rows[$"{name}, gRPC UploadFile 1 MiB"] = Rate(await UploadGrpcAsync(client, path));
                rows[$"{name}, gRPC UploadFile 64 KiB"] = Rate(await UploadGrpcAsync(client, path, 64 << 10));
                rows[$"{name}, HTTP raw body"] = Rate(await UploadHttpAsync(service.HttpAddress!, path, multipart: false));
                rows[$"{name}, HTTP multipart"] = Rate(await UploadHttpAsync(service.HttpAddress!, path, multipart: true));
            }

            rows["live samples, gRPC IngestSamples"] = Rate(await IngestLiveAsync(client, 1 << 20));
            output.WriteLine($"service peak resident memory during these uploads: {service.PeakRssBytes / 1e6:0} MB");
            output.WriteLine($"service timings: {Timings}");
        }

        var script = "import os, time, pandas\np = " + Quote(arbin) + "\nout = " + Quote(Path.Combine(directory, "pandas.pkl")) +
            "\nbest = 1e9\nn = 0\nfor _ in range(" + (context.Quick ? 1 : 2) + "):\n    t = time.perf_counter()\n    df = pandas.read_csv(p)\n" +
            "    df.to_pickle(out)\n    fd = os.open(out, os.O_RDONLY)\n    os.fsync(fd)\n    os.close(fd)\n    best = min(best, time.perf_counter() - t)\n    n = len(df)\nos.remove(out)\nprint(n, best)\n";
        var pandas = await IngestSuite.RunPythonAsync(script, context.CancellationToken);
        output.WriteLine();
        output.WriteLine($"{"upload to durable",-38} {"twin rows/s",14} {"pandas rows/s",14} {"ratio",7} {"goal 500k",10}");
        foreach (var (name, rate) in rows)
        {
            var peer = pandas is null ? double.NaN : pandas.Value.Rows / pandas.Value.Seconds;
            output.WriteLine($"{name,-38} {rate,14:N0} {peer,14:N0} {rate / peer,6:0.00}x {(rate >= 500_000 ? "met" : "not met"),10}");
        }

        output.WriteLine($"load average during the uploads: {LoadAverage()}");

        output.WriteLine("twin = first byte sent -> acknowledgement after the group commit's fsync (service in its own process);");
        output.WriteLine("pandas = read_csv + to_pickle + fsync of the Arbin file (no service, no network).");
        return pandas is not null;
    }

    /// <summary>One gRPC UploadFile of <paramref name="path"/> to the service over a channel of its own.</summary>
    internal static async Task<(long Rows, double Seconds)> UploadGrpcAsync(IngestChild service, string path, int chunkBytes = 1 << 20)
    {
        using var channel = RpcChannel.ForAddress(service.GrpcAddress!, new RpcChannelOptions { InitialStreamWindowSize = 8 << 20 });
        return await UploadGrpcAsync(new TelemetryServiceClient(channel), path, chunkBytes);
    }

    /// <summary>
    /// Chunks of <paramref name="chunkBytes"/>: 1 MiB messages are large objects at both ends (a copy each, collected
    /// only by full GCs); 64 KiB ones stay on the small-object heap.
    /// </summary>
    private static async Task<(long Rows, double Seconds)> UploadGrpcAsync(TelemetryServiceClient client, string path, int chunkBytes = 1 << 20)
    {
        var sw = Stopwatch.StartNew();
        using var call = client.UploadFile(new CallOptions(Headers: [new Metadata.Entry("x-api-key", Key)]));
        await call.RequestStream.WriteAsync(new UploadFileRequest { Metadata = new FileMetadata { FileName = Path.GetFileName(path), SourceId = $"bench:{Guid.NewGuid():N}", SizeBytes = (ulong)new FileInfo(path).Length } });
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        {
            var buffer = new byte[chunkBytes];
            var offset = 0UL;
            int n;
            while ((n = await file.ReadAsync(buffer)) > 0)
            {
                await call.RequestStream.WriteAsync(new UploadFileRequest { Chunk = new FileChunk { Offset = offset, Data = ByteString.CopyFrom(buffer, 0, n) } });
                offset += (ulong)n;
            }
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Timings += (Timings.Length > 0 ? "; " : string.Empty) + Timing(response);
        return ((long)response.Acks.Sum(a => (double)a.Accepted), sw.Elapsed.TotalSeconds);
    }

    private static double Rate((long Rows, double Seconds) r) => r.Rows / r.Seconds;

    /// <summary>POST /v1/uploads with the file as the raw body (options in the query) or as multipart (fields, then the file).</summary>
    internal static async Task<(long Rows, double Seconds)> UploadHttpAsync(Uri address, string path, bool multipart)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(30) };
        var sw = Stopwatch.StartNew();
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var name = Path.GetFileName(path);
        var source = $"bench:{Guid.NewGuid():N}";
        HttpContent content = new StreamContent(file, 1 << 20);
        if (multipart)
        {
            content = new MultipartFormDataContent
            {
                { new StringContent(source), "source_id" },
                { content, "file", name },
            };
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, multipart ? "/v1/uploads" : $"/v1/uploads?file_name={Uri.EscapeDataString(name)}&source_id={source}")
        {
            Content = content,
        };
        request.Headers.Add("x-api-key", Key);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"HTTP upload of {path} failed: {(int)response.StatusCode} {body}");
        }

        var parsed = JsonParser.Default.Parse<UploadFileResponse>(body);
        Timings += (Timings.Length > 0 ? "; " : string.Empty) + Timing(parsed);
        return ((long)parsed.Acks.Sum(a => (double)a.Accepted), sw.Elapsed.TotalSeconds);
    }

    /// <summary>Normalized samples as a cycler bridge sends them: 8192-row batches, built before the clock starts.</summary>
    private static async Task<(long Rows, double Seconds)> IngestLiveAsync(TelemetryServiceClient client, int rows)
    {
        const int BatchRows = 8192;
        var batches = new List<IngestSamplesRequest>();
        var source = $"bench/live/{Guid.NewGuid():N}";
        for (var first = 1; first <= rows; first += BatchRows)
        {
            var b = new Proto.SampleBatch { CellId = "bench-cell", SourceId = source };
            for (var q = first; q < first + BatchRows && q <= rows; q++)
            {
                b.Sequence.Add((ulong)q);
                b.TimeUnixNs.Add(1_700_000_000_000_000_000L + (q * 1_000_000_000L));
                b.TestTime.Add(q);
                b.CycleIndex.Add(1);
                b.StepIndex.Add(1);
                b.StepType.Add(Proto.StepType.CcDischarge);
                b.Current.Add(-1.0);
                b.Voltage.Add(4.2 - (q * 1e-7));
                b.TemperatureDegc.Add(25);
                b.DischargeCapacityAh.Add(q / 3600.0);
            }

            batches.Add(new IngestSamplesRequest { Batch = b });
        }

        var sw = Stopwatch.StartNew();
        using var call = client.IngestSamples(new CallOptions(Headers: [new Metadata.Entry("x-api-key", Key)]));
        foreach (var b in batches)
        {
            await call.RequestStream.WriteAsync(b);
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        return ((long)response.Acks.Sum(a => (double)a.Accepted), sw.Elapsed.TotalSeconds);
    }

    /// <summary>Where the service spent an upload's time (receive, parse into the log, commit), from the response.</summary>
    internal static string Timing(UploadFileResponse r) =>
        $"{r.Provenance.SourceFile}: receive {r.Provenance.Attributes.GetValueOrDefault("timing.receive_s")} s, parse+write {r.Provenance.Attributes.GetValueOrDefault("timing.parse_s")} s, commit {r.Provenance.Attributes.GetValueOrDefault("timing.commit_s")} s";

    private static string Timings { get; set; } = string.Empty;

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg): the machine is shared, so every number carries it.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
