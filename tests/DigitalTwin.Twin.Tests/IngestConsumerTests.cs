// The Ingest consumer against a scripted Subscribe stream: reconnects with backoff when Ingest is down, resumes after
// the stored position, applies batches in order once, and holds and reports samples of unregistered cells.
using System.Runtime.CompilerServices;
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.Estimation.Tests;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Grains.Storage;
using DigitalTwin.Grains.Testing;
using DigitalTwin.Rpc;
using DigitalTwin.Testing;
using DigitalTwin.Twin.Ingest;
using Microsoft.Extensions.Logging.Abstractions;

namespace DigitalTwin.Twin.Tests;

public sealed class IngestConsumerTests
{
    [Fact]
    public async Task Reconnects_resumes_after_the_applied_position_applies_once_and_holds_unregistered_cells()
    {
        var samples = ArbinCsv.Read(SharedData.DataFile("cycler", "arbin_csv", "arbin_example.csv")).Take(300).ToList();
        await using var host = await TwinFixture.StartAsync(new InMemoryGrainStore());
        await host.GrainFactory.GetGrain<ICellGrain>("known").RegisterAsync(TwinFixture.Registration(TwinFixture.ArbinCell())).Within("registration");

        // The log: positions 1-3 for the registered cell, 4 for an unregistered one.
        var log = new List<SubscribeResponse>();
        foreach (var (chunk, i) in samples.Chunk(100).Select((c, i) => (c, i)))
        {
            log.Add(new SubscribeResponse { Position = (ulong)i + 1, PositionComplete = true, Batch = FleetFixture.ToBatch("known", "src", chunk) });
        }

        log.Add(new SubscribeResponse { Position = 4, PositionComplete = true, Batch = FleetFixture.ToBatch("unknown", "src", samples.Take(50).ToList()) });

        var afters = new List<ulong>();
        var attempt = 0;
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async IAsyncEnumerable<SubscribeResponse> Subscribe(ulong after, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            afters.Add(after);
            attempt++;
            if (attempt == 1)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "ingest is down"));
            }

            // Attempt 2 breaks after two positions; attempt 3 delivers from where the twin stands, then stays open.
            foreach (var m in log.Where(m => m.Position > after).Take(attempt == 2 ? 2 : int.MaxValue))
            {
                yield return m;
            }

            if (attempt == 2)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "connection reset"));
            }

            caughtUp.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var consumer = new IngestConsumer(Subscribe, host.GrainFactory, new IngestConsumerOptions(InitialBackoff: TimeSpan.FromMilliseconds(5)), TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = consumer.RunAsync(stop.Token);
        await caughtUp.Task.Within("the consumer to reconnect twice and catch up");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (consumer.Status.AppliedPosition < 4)
        {
            Assert.True(DateTime.UtcNow < until, $"applied position {consumer.Status.AppliedPosition}");
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await running.Within("the consumer to stop");

        // Resumed after nothing (down), then after position 2 (the two positions applied before the reset).
        Assert.Equal([0UL, 0UL, 2UL], afters);
        var status = consumer.Status;
        Assert.Equal(2, status.Reconnects);
        Assert.Equal(4UL, status.StoredPosition);
        Assert.Equal(50, status.HeldByCell["unknown"]);
        Assert.Equal(4UL, await host.GrainFactory.GetGrain<IIngestCursorGrain>(IngestConsumer.CursorKey).GetPositionAsync().Within("the stored cursor"));

        var known = await host.GrainFactory.GetGrain<ICellGrain>("known").GetStateAsync().Within("the registered cell");
        Assert.Equal(300, known.AppliedSamples);
        Assert.Equal(0, known.DuplicateSamples);
        var unknown = await host.GrainFactory.GetGrain<ICellGrain>("unknown").GetStateAsync().Within("the unregistered cell");
        Assert.Equal(CellStatus.Unregistered, unknown.Status);
        Assert.Equal(50, unknown.HeldSamples);
    }
}
