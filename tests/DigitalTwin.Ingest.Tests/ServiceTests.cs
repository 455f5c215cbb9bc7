// The Ingest service on a loopback host, through the typed gRPC client and plain HTTP: uploads store exactly what
// the parser reads, once; live batches are validated and idempotent; writes need the key; rejected files leave
// nothing; Subscribe, ReadSamples, ListCycles and ListFormats read it back.
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Ingest.Tests.Support;
using DigitalTwin.Rpc;
using DigitalTwin.Telemetry;
using DigitalTwin.Testing;
using Google.Protobuf;
using Proto = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Ingest.Tests;

public sealed class ServiceTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private IngestServer? _server;

    private IngestServer Server => _server ?? throw new InvalidOperationException("the server did not start");

    public async Task InitializeAsync() => _server = await IngestServer.StartAsync(_dir.Combine("data"));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task AnUploadedFileIsStoredExactlyAsParsedAndOnlyOnce()
    {
        var path = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var parsed = Parse(path);
        var client = Server.Client();

        var first = await Uploads.UploadAsync(client, path, new FileMetadata { CellId = "arbin-cell" });
        var ack = Assert.Single(first.Acks);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(("file:" + sha, "arbin-cell", sha, "arbin-csv"), (ack.SourceId, ack.CellId, first.Sha256, first.DetectedFormat));
        Assert.Equal(((ulong)parsed.Samples.Count, 0UL, (ulong)parsed.Samples.Count), (ack.Accepted, ack.Duplicates, ack.LastDurableSequence));

        var stored = (await Uploads.ReadAsync(client, ack.SourceId)).SelectMany(Rows).ToList();
        Assert.Equal(parsed.Samples.Count, stored.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            var (seq, time, current, voltage, row) = stored[i];
            var s = parsed.Samples[i];
            Assert.Equal(((ulong)i + 1, s.TimestampMicros * 1000, s.Current, s.Voltage, (ulong)s.SourceRow), (seq, time, current, voltage, row));
        }

        var again = Assert.Single((await Uploads.UploadAsync(client, path, new FileMetadata { CellId = "arbin-cell" })).Acks);
        Assert.Equal((0UL, (ulong)parsed.Samples.Count), (again.Accepted, again.Duplicates));
        var status = await client.GetSourceStatusAsync(new GetSourceStatusRequest { SourceId = ack.SourceId }).ResponseAsync;
        Assert.Equal(((ulong)parsed.Samples.Count, (ulong)parsed.Samples.Count), (status.Samples, status.LastDurableSequence));
    }

    [Fact]
    public async Task HttpAcceptsRawAndMultipartUploads()
    {
        var maccor = SharedData.DataFile("cycler", "maccor_txt", "xTESLADIAG_000038test.078");
        var mpt = SharedData.DataFile("cycler", "biologic_mpt", "gcpl.issue_149.mpt");
        using var http = new HttpClient { BaseAddress = Server.HttpAddress };

        using var raw = new StreamContent(File.OpenRead(maccor));
        raw.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var rawRequest = new HttpRequestMessage(HttpMethod.Post, $"/v1/uploads?file_name={Path.GetFileName(maccor)}&cell_id=maccor-7&tz=America/Los_Angeles") { Content = raw };
        rawRequest.Headers.Add("x-api-key", IngestServer.Key);
        using var rawResponse = await Within.Await(http.SendAsync(rawRequest), "the raw HTTP upload");
        var rawBody = await rawResponse.Content.ReadAsStringAsync();
        Assert.True(rawResponse.StatusCode == HttpStatusCode.OK, rawBody);
        var rawAck = Assert.Single(JsonParser.Default.Parse<UploadFileResponse>(rawBody).Acks);
        Assert.Equal((ulong)Parse(maccor, "America/Los_Angeles").Samples.Count, rawAck.Accepted);
        Assert.Equal("maccor-7", rawAck.CellId);

        using var form = new MultipartFormDataContent
        {
            { new StringContent("mpt-cell"), "cell_id" },
            { new StringContent("skip"), "policy" },
            { new StreamContent(File.OpenRead(mpt)), "file", Path.GetFileName(mpt) },
        };
        using var formRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/uploads") { Content = form };
        formRequest.Headers.Add("x-api-key", IngestServer.Key);
        using var formResponse = await Within.Await(http.SendAsync(formRequest), "the multipart HTTP upload");
        var formBody = await formResponse.Content.ReadAsStringAsync();
        Assert.True(formResponse.StatusCode == HttpStatusCode.OK, formBody);
        var formAck = Assert.Single(JsonParser.Default.Parse<UploadFileResponse>(formBody).Acks);
        Assert.Equal(((ulong)Parse(mpt).Samples.Count, "mpt-cell"), (formAck.Accepted, formAck.CellId));

        using var status = await http.GetAsync($"/v1/sources?id={Uri.EscapeDataString(formAck.SourceId)}");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(formAck.Accepted, JsonParser.Default.Parse<GetSourceStatusResponse>(await status.Content.ReadAsStringAsync()).Samples);
    }

    [Fact]
    public async Task UploadsOfUnknownSizeParseWhileArrivingAndHonourLateFields()
    {
        var client = Server.Client();

        // Text over gRPC without a declared size, in 16 KiB chunks: parsed while arriving (an upper-bound length),
        // every row stored once. Binary .mpr the same way: its reader needs the length, so it waits for the last chunk.
        foreach (var path in new[] { SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"), SharedData.DataFile("cycler", "biologic_mpr", "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr") })
        {
            var expected = Parse(path).Samples;
            var response = await Uploads.UploadAsync(client, path, new FileMetadata { SourceId = "unsized:" + Path.GetFileName(path) }, chunkBytes: 16 << 10, sizeBytes: 0);
            var ack = Assert.Single(response.Acks);
            var size = new FileInfo(path).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(((ulong)expected.Count, size), (ack.Accepted, response.Provenance.Attributes["bytes"]));
            var stored = (await Uploads.ReadAsync(client, ack.SourceId)).SelectMany(Rows).ToList();
            Assert.Equal(expected.Select(s => (ulong)s.SourceRow), stored.Select(r => r.Row));
        }

        // Multipart whose fields come after the file part: the parse starts with none of them and runs again with them.
        var bad = _dir.Combine("arbin_bad_line100.csv");
        var lines = File.ReadAllLines(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        lines[99] = lines[99].Replace(lines[99].Split(',')[7], "3.3x", StringComparison.Ordinal);
        File.WriteAllLines(bad, lines);
        using var http = new HttpClient { BaseAddress = Server.HttpAddress };
        async Task<(HttpStatusCode Status, string Body)> PostAsync(string cell, string policy)
        {
            using var form = new MultipartFormDataContent
            {
                { new StreamContent(File.OpenRead(bad)), "file", Path.GetFileName(bad) },
                { new StringContent(cell), "cell_id" },
                { new StringContent(policy), "policy" },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/uploads") { Content = form };
            request.Headers.Add("x-api-key", IngestServer.Key);
            using var response = await Within.Await(http.SendAsync(request), "a multipart upload with its fields last");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, body) = await PostAsync("late-cell", "reject");
        Assert.True(status == HttpStatusCode.UnprocessableEntity, body);
        var diagnostics = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("diagnostics").EnumerateArray();
        Assert.Contains(diagnostics, d => d.GetProperty("line").GetString() == "100" && d.GetProperty("field").GetString() == "Voltage");
        (status, body) = await PostAsync("late-cell", "skip");
        Assert.True(status == HttpStatusCode.OK, body);
        var late = Assert.Single(JsonParser.Default.Parse<UploadFileResponse>(body).Acks);
        Assert.Equal(("late-cell", (ulong)lines.Length - 2, 1UL), (late.CellId, late.Accepted, late.Rejected));
    }

    [Fact]
    public async Task EveryWriteNeedsAValidKey()
    {
        var client = Server.Client();
        var noKey = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = client.IngestSamples();
            await call.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = Synthetic.Batch("c", "s", 1, 10) });
            await call.RequestStream.CompleteAsync();
            await Within.Await(call.ResponseAsync, "the refusal of a keyless IngestSamples");
        });
        Assert.Equal(StatusCode.Unauthenticated, noKey.StatusCode);
        Assert.Contains("x-api-key", noKey.Status.Detail, StringComparison.Ordinal);

        var wrongKey = await Assert.ThrowsAsync<RpcException>(() =>
            Uploads.UploadAsync(client, SharedData.DataFile("cycler", "arbin_csv", "sample_data_arbin.csv"), options: new CallOptions(Headers: [new Metadata.Entry("x-api-key", "guess")])));
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);
        Assert.Contains("not one of the configured keys", wrongKey.Status.Detail, StringComparison.Ordinal);

        var streaming = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = client.StreamSamples();
            await call.RequestStream.WriteAsync(new StreamSamplesRequest { Batch = Synthetic.Batch("c", "s", 1, 10) });
            await Within.Await(call.ResponseStream.MoveNext(CancellationToken.None), "the refusal of a keyless StreamSamples");
        });
        Assert.Equal(StatusCode.Unauthenticated, streaming.StatusCode);

        using var http = new HttpClient { BaseAddress = Server.HttpAddress };
        using var body = new ByteArrayContent(File.ReadAllBytes(SharedData.DataFile("cycler", "arbin_csv", "sample_data_arbin.csv")));
        using var refused = await http.PostAsync("/v1/uploads", body);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("x-api-key", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"unauthenticated\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Nothing was stored, and reads stay open by default.
        var status = await client.GetSourceStatusAsync(new GetSourceStatusRequest { SourceId = "s" }).ResponseAsync;
        Assert.Equal(0UL, status.Samples);
    }

    [Fact]
    public async Task LiveBatchesAreValidatedAndIdempotent()
    {
        var client = Server.Client();
        using var call = client.IngestSamples(IngestServer.WithKey);
        for (var b = 0; b < 10; b++)
        {
            await call.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = Synthetic.Batch("cell-L", "bridge/ch1", ((ulong)b * 100) + 1, 100) });
        }

        // A resend overlapping the first 1000 (501..1500), a batch with one NaN voltage, one with a short column.
        await call.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = Synthetic.Batch("cell-L", "bridge/ch1", 501, 1000) });
        var nan = Synthetic.Batch("cell-L", "bridge/ch1", 1501, 10);
        nan.Voltage[3] = double.NaN;
        await call.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = nan });
        var shortColumn = Synthetic.Batch("cell-L", "bridge/ch1", 1511, 10);
        shortColumn.Current.RemoveAt(9);
        await call.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = shortColumn });
        await call.RequestStream.CompleteAsync();
        var ack = Assert.Single((await Within.Await(call.ResponseAsync, "the IngestSamples acknowledgement")).Acks);

        Assert.Equal((1509UL, 500UL, 11UL, 1510UL), (ack.Accepted, ack.Duplicates, ack.Rejected, ack.LastDurableSequence));
        Assert.Contains(ack.Diagnostics, d => d.Code == "not_finite" && d.Field == "voltage" && d.Message.Contains("1504", StringComparison.Ordinal));
        Assert.Contains(ack.Diagnostics, d => d.Code == "batch_rejected" && d.Message.StartsWith("current has 9 values for 10", StringComparison.Ordinal));

        var stored = Uploads.Sequences(await Uploads.ReadAsync(client, "bridge/ch1"));
        Assert.Equal(Enumerable.Range(1, 1510).Where(q => q != 1504).Select(q => (ulong)q), stored);
    }

    [Fact]
    public async Task StreamSamplesAcknowledgesEachBatchOnceDurable()
    {
        var client = Server.Client();
        using var call = client.StreamSamples(IngestServer.WithKey);
        var acked = new List<ulong>();
        for (var b = 0; b < 20; b++)
        {
            await call.RequestStream.WriteAsync(new StreamSamplesRequest { Batch = Synthetic.Batch("cell-S", "live/1", ((ulong)b * 50) + 1, 50) });
        }

        for (var b = 0; b < 20; b++)
        {
            Assert.True(await Within.Await(call.ResponseStream.MoveNext(CancellationToken.None), $"acknowledgement {b + 1}"));
            acked.Add(call.ResponseStream.Current.Ack.LastDurableSequence);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await Within.Await(call.ResponseStream.MoveNext(CancellationToken.None), "the end of the acknowledgements"));
        Assert.Equal(Enumerable.Range(1, 20).Select(b => (ulong)b * 50), acked);
        var status = await client.GetSourceStatusAsync(new GetSourceStatusRequest { SourceId = "live/1" }).ResponseAsync;
        Assert.Equal((1000UL, "cell-S"), (status.Samples, status.CellId));
    }

    [Fact]
    public async Task ARejectedFileLeavesNothingAndSkippingKeepsEveryValidRow()
    {
        // arbin_example.csv with the voltage of data line 100 replaced by text.
        var lines = File.ReadAllLines(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv"));
        var fields = lines[99].Split(',');
        fields[7] = "3.3x";
        lines[99] = string.Join(',', fields);
        var path = _dir.Combine("arbin_bad_line100.csv");
        File.WriteAllLines(path, lines);
        var client = Server.Client();

        var rejected = await Assert.ThrowsAsync<RpcException>(() => Uploads.UploadAsync(client, path, new FileMetadata { ErrorPolicy = ErrorPolicy.RejectFile }));
        Assert.Equal(StatusCode.InvalidArgument, rejected.StatusCode);
        Assert.Contains("arbin_bad_line100.csv:100 [Voltage]", rejected.Status.Detail, StringComparison.Ordinal);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        var none = await client.GetSourceStatusAsync(new GetSourceStatusRequest { SourceId = "file:" + sha }).ResponseAsync;
        Assert.Equal(0UL, none.Samples);
        Assert.Empty(await SubscribeAllAsync(client, 0));

        var skipped = Assert.Single((await Uploads.UploadAsync(client, path, new FileMetadata { ErrorPolicy = ErrorPolicy.SkipRow })).Acks);
        Assert.Equal(((ulong)lines.Length - 2, 1UL), (skipped.Accepted, skipped.Rejected));
        Assert.Contains(skipped.Diagnostics, d => d.Line == 100 && d.Field == "Voltage");
    }

    [Fact]
    public async Task ABrokenTransferIsRefusedAndStoresNothing()
    {
        var path = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var bytes = File.ReadAllBytes(path);
        var client = Server.Client();

        // A chunk that does not continue where the previous one ended: the transport's error, not a parse error.
        using (var call = client.UploadFile(IngestServer.WithKey))
        {
            await call.RequestStream.WriteAsync(new UploadFileRequest { Metadata = new FileMetadata { FileName = "gap.csv", SizeBytes = (ulong)bytes.Length } });
            await call.RequestStream.WriteAsync(new UploadFileRequest { Chunk = new FileChunk { Offset = 0, Data = ByteString.CopyFrom(bytes, 0, 100_000) } });
            await call.RequestStream.WriteAsync(new UploadFileRequest { Chunk = new FileChunk { Offset = 100_001, Data = ByteString.CopyFrom(bytes, 100_000, 1000) } });
            var gap = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await call.RequestStream.CompleteAsync();
                await Within.Await(call.ResponseAsync, "the refusal of a chunk gap");
            });
            Assert.Equal(StatusCode.InvalidArgument, gap.StatusCode);
            Assert.Contains("does not follow the previous chunk, which ended at byte 100000", gap.Status.Detail, StringComparison.Ordinal);
        }

        // A declared size the content does not have: parsed while arriving, then refused before anything is committed.
        var wrongSize = await Assert.ThrowsAsync<RpcException>(() => Uploads.UploadAsync(client, path, new FileMetadata { SourceId = "declared-too-big" }, sizeBytes: (ulong)bytes.Length + 10));
        Assert.Equal(StatusCode.InvalidArgument, wrongSize.StatusCode);
        Assert.Contains("size_mismatch", wrongSize.Status.Detail, StringComparison.Ordinal);
        var status = await client.GetSourceStatusAsync(new GetSourceStatusRequest { SourceId = "declared-too-big" }).ResponseAsync;
        Assert.Equal(0UL, status.Samples);
        Assert.Empty(await SubscribeAllAsync(client, 0));
    }

    [Fact]
    public async Task SubscribeDeliversEverythingInLogOrderAndFollows()
    {
        var client = Server.Client();
        var path = SharedData.DataFile("cycler", "arbin_csv", "FastCharge_000025_CH8.csv");
        using (var live = client.IngestSamples(IngestServer.WithKey))
        {
            await live.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = Synthetic.Batch("cell-X", "live/x", 1, 30) });
            await live.RequestStream.CompleteAsync();
            await Within.Await(live.ResponseAsync, "the first live batch");
        }

        var file = Assert.Single((await Uploads.UploadAsync(client, path, new FileMetadata { CellId = "cell-F" })).Acks);
        var all = await SubscribeAllAsync(client, 0);
        Assert.Equal(["live/x", file.SourceId], all.Select(m => m.Batch.SourceId).Distinct());
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Position <= p.Second.Position));
        Assert.Equal(file.Accepted, (ulong)all.Where(m => m.Batch.SourceId == file.SourceId).Sum(m => m.Batch.Sequence.Count));
        Assert.Equal(2, all.Count(m => m.PositionComplete));
        Assert.Empty(await SubscribeAllAsync(client, all[^1].Position));
        Assert.Equal(["cell-F"], (await SubscribeAllAsync(client, 0, "cell-F")).Select(m => m.Batch.CellId).Distinct());

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var follow = client.Subscribe(new SubscribeRequest { AfterPosition = all[^1].Position, Follow = true }, new CallOptions(CancellationToken: cancel.Token));
        var next = follow.ResponseStream.MoveNext(CancellationToken.None);
        using (var live = client.IngestSamples(IngestServer.WithKey))
        {
            await live.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = Synthetic.Batch("cell-X", "live/x", 31, 5) });
            await live.RequestStream.CompleteAsync();
            await Within.Await(live.ResponseAsync, "the second live batch");
        }

        Assert.True(await Within.Await(next, "the followed batch"));
        Assert.Equal([31UL, 32, 33, 34, 35], follow.ResponseStream.Current.Batch.Sequence);
        Assert.True(follow.ResponseStream.Current.PositionComplete);
        cancel.Cancel();
    }

    [Fact]
    public async Task CyclesAndFormatsAreServed()
    {
        var path = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var parsed = TelemetryParser.Parse(path, new CountingSink());
        var client = Server.Client();
        await Uploads.UploadAsync(client, path, new FileMetadata { CellId = "cycles-cell" });
        var cycles = await client.ListCyclesAsync(new ListCyclesRequest { CellId = "cycles-cell", IncludeDqdv = true }).ResponseAsync;
        Assert.Equal(parsed.Cycles.Select(c => (uint)c.Cycle), cycles.Cycles.Select(c => c.CycleIndex));
        // Same parse, same numbers: the stored summaries are the parser's own.
        Assert.Equal(parsed.Cycles.Select(c => c.DischargeCapacity), cycles.Cycles.Select(c => c.DischargeCapacityAh));
        Assert.All(cycles.Cycles, c => Assert.True(c.StartTime is not null && c.EndTime is not null && c.EndTime.ToDateTime() >= c.StartTime.ToDateTime()));

        // The file starts mid-charge (its cycle 1 is partial, CycleSummarizer's rule): the flag is served and a
        // partial cycle has no coulombic efficiency instead of one recomputed from its half-seen charge.
        Assert.Equal(parsed.Cycles.Select(c => c.IsPartial), cycles.Cycles.Select(c => c.Partial));
        Assert.Contains(cycles.Cycles, c => c.Partial);
        Assert.All(cycles.Cycles.Where(c => c.Partial), c => Assert.True(double.IsNaN(c.CoulombicEfficiency), $"cycle {c.CycleIndex}: CE {c.CoulombicEfficiency}"));

        // A live source's cycles are summarized from its samples: 3600 s at 1 A discharge = 1 A.h.
        using (var live = client.IngestSamples(IngestServer.WithKey))
        {
            await live.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = Synthetic.Batch("live-cycles", "live/c", 1, 3601) });
            await live.RequestStream.CompleteAsync();
            await Within.Await(live.ResponseAsync, "the live hour");
        }

        var liveCycles = await client.ListCyclesAsync(new ListCyclesRequest { CellId = "live-cycles" }).ResponseAsync;
        Assert.Equal(1.0, Assert.Single(liveCycles.Cycles).DischargeCapacityAh, 9);

        var formats = await client.ListFormatsAsync(new ListFormatsRequest()).ResponseAsync;
        Assert.Contains(formats.Formats, f => f.Name == "biologic-mpr" && f.Binary && f.Extensions.Contains(".mpr"));
        Assert.Contains(formats.Formats, f => f.Name == "maccor-text" && !f.Binary);
    }

    [Fact]
    public async Task AFileOfManyCyclesIsSummarizedInFull()
    {
        // 140 copies of arbin_example.csv's 2 cycles: more cycles than one stored chunk of summaries (256).
        var path = ArbinReplica.Write(_dir.Combine("arbin_280_cycles.csv"), 140 * 2142);
        var parsed = TelemetryParser.Parse(path, new CountingSink());
        Assert.True(parsed.Cycles.Count > 256, $"{parsed.Cycles.Count} cycles");
        var client = Server.Client();
        await Uploads.UploadAsync(client, path, new FileMetadata { CellId = "many-cycles" });
        var cycles = await client.ListCyclesAsync(new ListCyclesRequest { CellId = "many-cycles" }).ResponseAsync;
        Assert.Equal(parsed.Cycles.Select(c => (uint)c.Cycle), cycles.Cycles.Select(c => c.CycleIndex));
    }

    [Fact]
    public void TheServiceRefusesToRunWithoutAKey()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new DigitalTwin.Services.Ingest.ApiKeyGuard(new DigitalTwin.Services.Ingest.IngestServiceOptions()));
        Assert.Contains("Ingest:ApiKeys", e.Message, StringComparison.Ordinal);
    }

    private static CollectingSink Parse(string path, string? tz = null)
    {
        var sink = new CollectingSink();
        TelemetryParser.Parse(path, sink, new IngestOptions { TimeZone = tz });
        return sink;
    }

    private static IEnumerable<(ulong Seq, long Time, double Current, double Voltage, ulong Row)> Rows(Proto.SampleBatch b) =>
        Enumerable.Range(0, b.Sequence.Count).Select(i => (b.Sequence[i], b.TimeUnixNs[i], b.Current[i], b.Voltage[i], b.SourceRow[i]));

    private static async Task<List<SubscribeResponse>> SubscribeAllAsync(TelemetryServiceClient client, ulong after, string cell = "")
    {
        using var call = client.Subscribe(new SubscribeRequest { AfterPosition = after, CellId = cell });
        var all = new List<SubscribeResponse>();
        while (await Within.Await(call.ResponseStream.MoveNext(CancellationToken.None), "the next Subscribe message"))
        {
            all.Add(call.ResponseStream.Current);
        }

        return all;
    }
}
