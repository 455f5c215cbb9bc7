// The generated clients and service bases work end to end over the RPC runtime on a loopback Kestrel host:
// all four call kinds with real contract messages, metadata, and UNIMPLEMENTED for methods not overridden.
using System.Net;
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Electrochem.V1;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Contracts.Tests;

public sealed class LoopbackTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private WebApplication? _app;
    private RpcChannel? _channel;

    private RpcChannel Channel => _channel ?? throw new InvalidOperationException("The host did not start.");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? endpoint = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, o =>
        {
            o.Protocols = HttpProtocols.Http2;
            endpoint = o;
        }));
        builder.Services.AddRpcServer();
        _app = builder.Build();
        _app.MapRpcService(ElectrochemServiceBase.Bind(new FakeElectrochem()));
        _app.MapRpcService(TelemetryServiceBase.Bind(new FakeTelemetry()));
        await Within(_app.StartAsync(), "the loopback host to start");
        _channel = RpcChannel.ForAddress($"http://127.0.0.1:{endpoint!.IPEndPoint!.Port}");
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await Within(_app.StopAsync(), "the loopback host to stop");
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task UnaryCallAdvancesAState()
    {
        var client = new ElectrochemServiceClient(Channel);
        var request = new AdvanceRequest { State = new ModelState { Model = ModelKind.Spm, Time = 10 }, Time = { 1, 2 }, Current = { -1, -1 } };

        var response = await Within(client.AdvanceAsync(request).ResponseAsync, "the Advance response");

        // FakeElectrochem: time moves by the last sample time; voltage = 3.7 V + 0.1 Ohm * current.
        Assert.Equal(12, response.State.Time, 12);
        Assert.Equal([3.6, 3.6], response.Voltage);
    }

    [Fact]
    public async Task ServerStreamingCallStreamsAStartChunksAndASummary()
    {
        var client = new ElectrochemServiceClient(Channel);
        using var call = client.Simulate(new SimulateRequest { Model = ModelKind.Dfn, Experiment = new Experiment { Steps = { "Discharge at 1C until 3.0 V" } } });

        var events = new List<SimulateResponse.EventOneofCase>();
        while (await Within(call.ResponseStream.MoveNext(CancellationToken.None), "the next Simulate message"))
        {
            events.Add(call.ResponseStream.Current.EventCase);
        }

        Assert.Equal(
            [SimulateResponse.EventOneofCase.Started, SimulateResponse.EventOneofCase.Chunk, SimulateResponse.EventOneofCase.Chunk, SimulateResponse.EventOneofCase.Summary],
            events);
    }

    [Fact]
    public async Task ClientStreamingCallAcknowledgesTheLastDurableSequence()
    {
        var client = new TelemetryServiceClient(Channel);
        using var call = client.IngestSamples(new CallOptions(Headers: [new Metadata.Entry("x-api-key", "k1")]));

        for (var first = 1UL; first <= 7; first += 3)
        {
            var batch = new SampleBatch { CellId = "c1", SourceId = "s1" };
            batch.Sequence.AddRange([first, first + 1, first + 2]);
            await Within(call.RequestStream.WriteAsync(new IngestSamplesRequest { Batch = batch }), "a batch to be sent");
        }

        await Within(call.RequestStream.CompleteAsync(), "the request stream to complete");
        var response = await Within(call.ResponseAsync, "the ingest acknowledgement");

        var ack = Assert.Single(response.Acks);
        Assert.Equal(("s1", 9UL, 9UL), (ack.SourceId, ack.LastDurableSequence, ack.Accepted));
    }

    [Fact]
    public async Task DuplexCallAcknowledgesEachBatch()
    {
        var client = new TelemetryServiceClient(Channel);
        using var call = client.StreamSamples(new CallOptions(Headers: [new Metadata.Entry("x-api-key", "k1")]));

        var acknowledged = new List<ulong>();
        foreach (var sequence in new ulong[] { 5, 6, 7 })
        {
            var batch = new SampleBatch { CellId = "c1", SourceId = "live" };
            batch.Sequence.Add(sequence);
            await Within(call.RequestStream.WriteAsync(new StreamSamplesRequest { Batch = batch }), "a batch to be sent");
            Assert.True(await Within(call.ResponseStream.MoveNext(CancellationToken.None), "an acknowledgement"));
            acknowledged.Add(call.ResponseStream.Current.Ack.LastDurableSequence);
        }

        await Within(call.RequestStream.CompleteAsync(), "the request stream to complete");
        Assert.False(await Within(call.ResponseStream.MoveNext(CancellationToken.None), "the end of the acknowledgements"));
        Assert.Equal([5UL, 6UL, 7UL], acknowledged);
    }

    [Fact]
    public async Task MissingApiKeyIsRefusedWithTheServersStatus()
    {
        var client = new TelemetryServiceClient(Channel);
        using var call = client.IngestSamples();
        await Within(call.RequestStream.CompleteAsync(), "the request stream to complete");

        var error = await Assert.ThrowsAsync<RpcException>(() => Within(call.ResponseAsync, "the refusal"));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task MethodNotOverriddenAnswersUnimplemented()
    {
        var client = new ElectrochemServiceClient(Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => Within(client.ListParameterSetsAsync(new ListParameterSetsRequest()).ResponseAsync, "the UNIMPLEMENTED status"));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("ListParameterSets", error.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task Within(Task task, string expected)
    {
        try
        {
            await task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Timeout.TotalSeconds} s waiting for {expected}.");
        }
    }

    private static async Task<T> Within<T>(Task<T> task, string expected)
    {
        await Within((Task)task, expected);
        return await task;
    }

    private sealed class FakeElectrochem : ElectrochemServiceBase
    {
        public override Task<AdvanceResponse> Advance(AdvanceRequest request, ServerCallContext context)
        {
            var response = new AdvanceResponse { State = new ModelState(request.State) { Time = request.State.Time + request.Time[^1] } };
            response.Voltage.AddRange(request.Current.Select(i => 3.7 + 0.1 * i));
            return Task.FromResult(response);
        }

        public override async Task Simulate(SimulateRequest request, IServerStreamWriter<SimulateResponse> responseStream, ServerCallContext context)
        {
            await responseStream.WriteAsync(new SimulateResponse { Started = new SimulationStarted() }, context.CancellationToken);
            await responseStream.WriteAsync(new SimulateResponse { Chunk = new ResultChunk { FirstRow = 0, Time = { 0 }, Voltage = { 4.1 } } }, context.CancellationToken);
            await responseStream.WriteAsync(new SimulateResponse { Chunk = new ResultChunk { FirstRow = 1, Time = { 1 }, Voltage = { 4.0 } } }, context.CancellationToken);
            await responseStream.WriteAsync(new SimulateResponse { Summary = new SimulationSummary { Rows = 2 } }, context.CancellationToken);
        }
    }

    private sealed class FakeTelemetry : TelemetryServiceBase
    {
        public override async Task<IngestSamplesResponse> IngestSamples(IAsyncStreamReader<IngestSamplesRequest> requestStream, ServerCallContext context)
        {
            RequireKey(context);
            var ack = new IngestAck();
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                ack.SourceId = request.Batch.SourceId;
                ack.Accepted += (ulong)request.Batch.Sequence.Count;
                ack.LastDurableSequence = request.Batch.Sequence[^1];
            }

            return new IngestSamplesResponse { Acks = { ack } };
        }

        public override async Task StreamSamples(IAsyncStreamReader<StreamSamplesRequest> requestStream, IServerStreamWriter<StreamSamplesResponse> responseStream, ServerCallContext context)
        {
            RequireKey(context);
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                var ack = new IngestAck { SourceId = request.Batch.SourceId, LastDurableSequence = request.Batch.Sequence[^1], Accepted = 1 };
                await responseStream.WriteAsync(new StreamSamplesResponse { Ack = ack }, context.CancellationToken);
            }
        }

        private static void RequireKey(ServerCallContext context)
        {
            if (context.RequestHeaders.GetValue("x-api-key") != "k1")
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "an API key is required"));
            }
        }
    }
}
