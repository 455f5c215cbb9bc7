// The fan-out batcher: bounded batches, one flush in flight, timer flushes, final flush on
// dispose, failed flushes retried without losing points.
using System.Collections.Concurrent;
using DigitalTwin.TimeSeries.Batching;
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.TimeSeries.Tests;

public sealed class BatchingWriterTests
{
    [Fact]
    public async Task Batches_are_bounded_and_only_one_flush_runs_at_a_time()
    {
        var sink = new RecordingSink { Gate = new TaskCompletionSource() };
        var time = new ManualTime();
        await using var writer = new BatchingWriter(sink, new BatchingOptions { MaxBatchPoints = 1_000, TimeProvider = time });
        var points = StoreTestData.Samples("c1", StoreTestData.Start, 3_500);
        foreach (var chunk in points.Chunk(100))
        {
            await writer.WriteAsync(StoreTestData.Batch(chunk));
        }

        // The first flush is held open by the sink: later points wait in the queue, not in parallel writes.
        await Within.Seconds(10, sink.FirstCall.Task, "the first flush to reach the sink");
        Assert.Equal(1, sink.Calls);
        sink.Gate.SetResult();
        await Within.Seconds(10, writer.FlushAsync(), "all queued points flushed");

        Assert.Equal(points.Count, sink.Points.Count);
        Assert.All(sink.BatchSizes, size => Assert.InRange(size, 1, 1_000));
        Assert.Equal(1, sink.MaxConcurrent);
        Assert.Equal(points.Select(p => p.Time).Order(), sink.Points.Order());
    }

    [Fact]
    public async Task The_timer_flushes_a_small_batch_and_dispose_flushes_the_rest()
    {
        var sink = new RecordingSink();
        var time = new ManualTime();
        var writer = new BatchingWriter(sink, new BatchingOptions { MaxBatchPoints = 1_000, FlushInterval = TimeSpan.FromSeconds(1), TimeProvider = time });
        await writer.WriteAsync(StoreTestData.Batch(StoreTestData.Samples("c1", StoreTestData.Start, 10)));
        Assert.Equal(0, sink.Calls);

        var flushed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.Flushed += n => flushed.TrySetResult(n);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, await Within.Seconds(10, flushed.Task, "the interval flush"));

        await writer.WriteAsync(StoreTestData.Batch(StoreTestData.Samples("c1", StoreTestData.Start + (60 * TimeUnits.NanosecondsPerSecond), 7)));
        await writer.DisposeAsync();
        Assert.Equal(17, sink.Points.Count);
    }

    [Fact]
    public async Task A_failed_flush_keeps_its_points_for_the_next_one()
    {
        var sink = new RecordingSink { FailuresLeft = 1 };
        var time = new ManualTime();
        await using var writer = new BatchingWriter(sink, new BatchingOptions { MaxBatchPoints = 100, TimeProvider = time });
        await writer.WriteAsync(StoreTestData.Batch(StoreTestData.Samples("c1", StoreTestData.Start, 50)));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Within.Seconds(10, writer.FlushAsync(), "the failing flush"));
        Assert.Contains("injected", error.InnerException!.Message, StringComparison.Ordinal);

        await Within.Seconds(10, writer.FlushAsync(), "the retried flush");
        Assert.Equal(50, sink.Points.Count);
        Assert.Equal(1, writer.FailedFlushes);
    }

    private sealed class RecordingSink : ITimeSeriesSink
    {
        private int _active;

        public TaskCompletionSource? Gate { get; init; }

        public TaskCompletionSource FirstCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int FailuresLeft { get; set; }

        public int Calls;

        public int MaxConcurrent;

        public ConcurrentQueue<long> Points { get; } = new();

        public ConcurrentQueue<int> BatchSizes { get; } = new();

        public async ValueTask WriteAsync(PointBatch batch, CancellationToken cancellationToken = default)
        {
            var active = Interlocked.Increment(ref _active);
            MaxConcurrent = Math.Max(MaxConcurrent, active);
            Interlocked.Increment(ref Calls);
            FirstCall.TrySetResult();
            try
            {
                if (Gate is not null)
                {
                    await Gate.Task;
                }

                if (FailuresLeft-- > 0)
                {
                    throw new IOException("injected failure");
                }

                BatchSizes.Enqueue(batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    Points.Enqueue(batch.Timestamp(i));
                }
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
