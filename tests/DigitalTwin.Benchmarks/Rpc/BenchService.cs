// Our side of the rpc benchmark: the BenchService implementation, its typed client and the load
// generator that drives it with the same workloads as bench_client.js.
using DigitalTwin.Bench.V1;
using DigitalTwin.Rpc;
using Google.Protobuf;

namespace DigitalTwin.Benchmarks.Rpc;

public static class BenchServiceMethods
{
    public const string ServiceName = "digitaltwin.bench.v1.BenchService";

    public static readonly Method<Payload, Payload> Unary = new(MethodType.Unary, ServiceName, "Unary", Payload.Parser, Payload.Parser);

    public static readonly Method<StreamRequest, Payload> ServerStream = new(MethodType.ServerStreaming, ServiceName, "ServerStream", StreamRequest.Parser, Payload.Parser);

    public static readonly Method<Payload, Summary> ClientStream = new(MethodType.ClientStreaming, ServiceName, "ClientStream", Payload.Parser, Summary.Parser);
}

public sealed class BenchServiceClient(RpcChannel channel) : ClientBase(channel)
{
    public AsyncUnaryCall<Payload> UnaryAsync(Payload request) => CallInvoker.AsyncUnaryCall(BenchServiceMethods.Unary, default, request);

    public AsyncServerStreamingCall<Payload> ServerStream(StreamRequest request) => CallInvoker.AsyncServerStreamingCall(BenchServiceMethods.ServerStream, default, request);

    public AsyncClientStreamingCall<Payload, Summary> ClientStream() => CallInvoker.AsyncClientStreamingCall(BenchServiceMethods.ClientStream, default);
}

public static class BenchService
{
    public static ServiceDefinition Bind() => ServiceDefinition
        .CreateBuilder(BenchServiceReflection.Descriptor.Services[0])
        .AddMethod(BenchServiceMethods.Unary, static (request, _) => Task.FromResult(request))
        .AddMethod(BenchServiceMethods.ServerStream, ServerStreamAsync)
        .AddMethod(BenchServiceMethods.ClientStream, ClientStreamAsync)
        .Build();

    private static async Task ServerStreamAsync(StreamRequest request, IServerStreamWriter<Payload> responses, ServerCallContext context)
    {
        var message = new Payload { Data = ByteString.CopyFrom(new byte[request.Size]) };
        for (var i = 0; i < request.Count; i++)
        {
            await responses.WriteAsync(message).ConfigureAwait(false);
        }
    }

    private static async Task<Summary> ClientStreamAsync(IAsyncStreamReader<Payload> requests, ServerCallContext context)
    {
        long count = 0;
        long bytes = 0;
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            count++;
            bytes += requests.Current.Data.Length;
        }

        return new Summary { Count = count, Bytes = bytes };
    }
}

/// <summary>Our client's load: the same workloads, payload sizes and batch sizes as bench_client.js.</summary>
public sealed class BenchLoad(BenchServiceClient client)
{
    public const int UnaryPayloadSize = 16;
    public const int StreamMessageSize = 64;
    public const int StreamBatch = 10_000;

    /// <summary>Client streams are counted when their summary arrives; small batches keep that count fine-grained.</summary>
    public const int ClientStreamBatch = 1_000;

    private static readonly Payload UnaryPayload = new() { Data = ByteString.CopyFrom(new byte[UnaryPayloadSize]) };
    private static readonly Payload StreamPayload = new() { Data = ByteString.CopyFrom(new byte[StreamMessageSize]) };

    private volatile bool _measuring;
    private volatile bool _stopping;

    /// <summary>Runs the workload with warm-up, returns operations per second over the measured window.</summary>
    public async Task<double> RunAsync(string workload, int concurrency, TimeSpan warmup, TimeSpan measure, CancellationToken cancellationToken)
    {
        var counts = new long[concurrency];
        Func<int, long[], Task> worker = workload switch
        {
            "unary" => UnaryWorker,
            "server-stream" => ServerStreamWorker,
            "client-stream" => ClientStreamWorker,
            _ => throw new ArgumentException($"Unknown workload '{workload}'.", nameof(workload)),
        };
        // One call first, so connecting and JIT compiling never fall into the timed windows.
        await client.UnaryAsync(UnaryPayload).ResponseAsync.WaitAsync(cancellationToken).ConfigureAwait(false);
        var workers = Enumerable.Range(0, concurrency).Select(i => Task.Run(() => worker(i, counts), cancellationToken)).ToArray();
        await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        _measuring = true;
        await Task.Delay(measure, cancellationToken).ConfigureAwait(false);
        _measuring = false;
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(start);
        var total = counts.Sum();
        _stopping = true;
        await Task.WhenAll(workers).ConfigureAwait(false);
        return total / elapsed.TotalSeconds;
    }

    private async Task UnaryWorker(int index, long[] counts)
    {
        while (!_stopping)
        {
            await client.UnaryAsync(UnaryPayload).ResponseAsync.ConfigureAwait(false);
            if (_measuring)
            {
                counts[index]++;
            }
        }
    }

    private async Task ServerStreamWorker(int index, long[] counts)
    {
        var request = new StreamRequest { Count = StreamBatch, Size = StreamMessageSize };
        while (!_stopping)
        {
            using var call = client.ServerStream(request);
            while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                if (_measuring)
                {
                    counts[index]++;
                }
            }
        }
    }

    private async Task ClientStreamWorker(int index, long[] counts)
    {
        while (!_stopping)
        {
            using var call = client.ClientStream();
            for (var i = 0; i < ClientStreamBatch; i++)
            {
                await call.RequestStream.WriteAsync(StreamPayload).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            var summary = await call.ResponseAsync.ConfigureAwait(false);
            if (_measuring)
            {
                counts[index] += summary.Count;
            }
        }
    }
}
