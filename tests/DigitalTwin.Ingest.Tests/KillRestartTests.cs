// Crash safety of the Ingest service: while a live stream and a large upload are in flight the service is killed
// with SIGKILL; after a restart every acknowledged sample is present exactly once, the interrupted upload is either
// absent or complete (never partial), and resending everything completes the data without duplicates.
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Ingest.Tests.Support;
using DigitalTwin.Rpc;
using DigitalTwin.Telemetry;
using DigitalTwin.Testing;
using Xunit.Abstractions;

namespace DigitalTwin.Ingest.Tests;

public sealed class KillRestartTests(ITestOutputHelper output) : IDisposable
{
    private const string LiveSource = "cycler-9/ch4";
    private const int LiveBatch = 500;
    private const int LiveTotal = 400 * LiveBatch;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task EveryAcknowledgedSampleSurvivesKillDashNineExactlyOnce()
    {
        var data = _dir.Combine("data");
        var small = SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv");
        var big = ArbinReplica.Write(_dir.Combine("arbin_300k.csv"), 300_000);
        var smallRows = Count(small);
        var bigRows = Count(big);

        ulong acknowledged = 0;
        var bigAcknowledged = false;
        string smallSource;
        using (var first = await IngestProcess.StartAsync(data))
        using (var channel = RpcChannel.ForAddress(first.GrpcAddress))
        {
            var client = new TelemetryServiceClient(channel);
            smallSource = Assert.Single((await Uploads.UploadAsync(client, small)).Acks).SourceId;

            using var stop = new CancellationTokenSource();
            var enoughAcks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var live = Task.Run(async () =>
            {
                using var call = client.StreamSamples(IngestServer.WithKey with { CancellationToken = stop.Token });
                var reader = Task.Run(async () =>
                {
                    var acks = 0;
                    while (await call.ResponseStream.MoveNext(CancellationToken.None))
                    {
                        Volatile.Write(ref acknowledged, Math.Max(Volatile.Read(ref acknowledged), call.ResponseStream.Current.Ack.LastDurableSequence));
                        if (++acks == 20)
                        {
                            enoughAcks.TrySetResult();
                        }
                    }
                });
                for (var q = 1UL; q <= LiveTotal; q += LiveBatch)
                {
                    await call.RequestStream.WriteAsync(new StreamSamplesRequest { Batch = Synthetic.Batch("cell-9", LiveSource, q, LiveBatch) });
                }

                await call.RequestStream.CompleteAsync();
                await reader;
            });
            var upload = Task.Run(async () =>
            {
                await Uploads.UploadAsync(client, big, new FileMetadata { CellId = "cell-big" }, chunkBytes: 256 << 10);
                bigAcknowledged = true;
            });

            // Kill once the live stream is well acknowledged and the upload is under way or being parsed.
            await Within.Await(enoughAcks.Task, "20 live acknowledgements before the kill");
            first.KillHard();
            stop.Cancel();
            var liveFailure = await Record.ExceptionAsync(() => Within.Await(live, "the live stream to fail after the kill"));
            Assert.True(liveFailure is not (null or TimeoutException), $"the live stream after the kill: {liveFailure?.Message ?? "no error"}");
            try
            {
                await Within.Await(upload, "the upload to end after the kill");
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or OperationCanceledException)
            {
                // Expected: the server died under the upload.
            }
        }

        Assert.True(acknowledged >= 20 * LiveBatch, $"only {acknowledged} samples were acknowledged before the kill");
        Assert.True(acknowledged < LiveTotal, "the live stream finished before the kill; the test proves nothing");

        using var second = await IngestProcess.StartAsync(data);
        output.WriteLine($"killed after {acknowledged} live samples were acknowledged; big upload acknowledged: {bigAcknowledged}");
        output.WriteLine(second.StartLine);
        using var channel2 = RpcChannel.ForAddress(second.GrpcAddress, new RpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        var client2 = new TelemetryServiceClient(channel2);

        // The file acknowledged before the kill, and every acknowledged live sample: present, exactly once, in order.
        Assert.Equal(Enumerable.Range(1, smallRows).Select(q => (ulong)q), Uploads.Sequences(await Uploads.ReadAsync(client2, smallSource)));
        var liveStored = Uploads.Sequences(await Uploads.ReadAsync(client2, LiveSource));
        Assert.True(liveStored.Count >= (int)acknowledged, $"{liveStored.Count} live samples stored, {acknowledged} were acknowledged");
        Assert.Equal(Enumerable.Range(1, liveStored.Count).Select(q => (ulong)q), liveStored);

        // The interrupted upload is all or nothing.
        var bigSource = "file:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(big)));
        var bigStatus = await client2.GetSourceStatusAsync(new GetSourceStatusRequest { SourceId = bigSource }).ResponseAsync;
        Assert.True(bigStatus.Samples == 0 || bigStatus.Samples == (ulong)bigRows, $"the interrupted upload left {bigStatus.Samples} of {bigRows} samples");
        Assert.True(bigAcknowledged ? bigStatus.Samples == (ulong)bigRows : true, "an acknowledged upload must be complete after the restart");

        // Resume: resend the whole live stream and the file; only what was missing is added.
        using (var call = client2.IngestSamples(IngestServer.WithKey))
        {
            for (var q = 1UL; q <= LiveTotal; q += LiveBatch)
            {
                await call.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = Synthetic.Batch("cell-9", LiveSource, q, LiveBatch) });
            }

            await call.RequestStream.CompleteAsync();
            var ack = Assert.Single((await Within.Await(call.ResponseAsync, "the resent live stream's acknowledgement")).Acks);
            Assert.Equal(((ulong)liveStored.Count, (ulong)(LiveTotal - liveStored.Count)), (ack.Duplicates, ack.Accepted));
        }

        var reupload = Assert.Single((await Uploads.UploadAsync(client2, big, new FileMetadata { CellId = "cell-big" })).Acks);
        Assert.Equal((ulong)bigRows, reupload.Accepted + reupload.Duplicates);
        Assert.Equal(Enumerable.Range(1, LiveTotal).Select(q => (ulong)q), Uploads.Sequences(await Uploads.ReadAsync(client2, LiveSource)));
        Assert.Equal(Enumerable.Range(1, bigRows).Select(q => (ulong)q), Uploads.Sequences(await Uploads.ReadAsync(client2, bigSource)));
    }

    private static int Count(string path)
    {
        var sink = new CountingSink();
        TelemetryParser.Parse(path, sink);
        return (int)sink.Samples;
    }
}
