// Request batching for solver calls: items queued while a batch is on the wire go out together, in order, each
// caller gets its own result, and a failed batch fails every item in it.
using DigitalTwin.Grains.Testing;
using DigitalTwin.Twin.Solvers;

namespace DigitalTwin.Twin.Tests;

public sealed class RequestBatcherTests
{
    [Fact]
    public async Task Items_queued_behind_a_busy_batch_go_out_as_one_request_with_results_in_order()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new List<int>();
        var batcher = new RequestBatcher<int, int>(async items =>
        {
            lock (sizes)
            {
                sizes.Add(items.Count);
            }

            await gate.Task;
            return [.. items.Select(i => i * 10)];
        }, new SolverBatching(MaxBatch: 64, MaxInFlight: 1));

        var first = batcher.RunAsync(1);
        var rest = Enumerable.Range(2, 9).Select(batcher.RunAsync).ToArray();
        gate.SetResult();
        Assert.Equal(10, await first.Within("the first item"));
        Assert.Equal(Enumerable.Range(2, 9).Select(i => i * 10), await Task.WhenAll(rest).Within("the queued items"));
        // One item went out alone while the solver was idle; the nine that queued behind it went as one request.
        Assert.Equal([1, 9], sizes);
        Assert.Equal((10L, 2L), (batcher.Items, batcher.Batches));
    }

    [Fact]
    public async Task A_failed_batch_fails_each_of_its_items_and_the_next_batch_still_runs()
    {
        var calls = 0;
        var batcher = new RequestBatcher<int, int>(items =>
            Interlocked.Increment(ref calls) == 1
                ? Task.FromException<IReadOnlyList<int>>(new InvalidOperationException("solver down"))
                : Task.FromResult<IReadOnlyList<int>>([.. items]), new SolverBatching(MaxBatch: 4, MaxInFlight: 1));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.RunAsync(7).Within("the failed item"));
        Assert.Equal("solver down", error.Message);
        Assert.Equal(8, await batcher.RunAsync(8).Within("the next item"));
    }
}
