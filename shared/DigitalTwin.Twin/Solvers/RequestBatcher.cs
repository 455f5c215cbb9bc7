// Coalesces concurrent single-item solver calls from many grains into batch requests (one RPC for many cells).
namespace DigitalTwin.Twin.Solvers;

/// <summary>How solver calls are batched across grains.</summary>
/// <param name="MaxBatch">Most items in one request [count].</param>
/// <param name="MaxInFlight">Most batch requests on the wire at once; the next batch forms while they run [count].</param>
public sealed record SolverBatching(int MaxBatch = 256, int MaxInFlight = 2)
{
    public static SolverBatching Default { get; } = new();
}

/// <summary>
/// Group commit for solver calls: an item waits only while <see cref="SolverBatching.MaxInFlight"/> batches are
/// already on the wire, so an idle solver sees a call at once and a busy one sees everything that queued meanwhile
/// as one request. No timer, no added latency when idle.
/// </summary>
public sealed class RequestBatcher<TItem, TResult>
{
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _send;
    private readonly SolverBatching _batching;
    private readonly Lock _gate = new();
    private readonly Queue<(TItem Item, TaskCompletionSource<TResult> Done)> _queue = new();
    private int _inFlight;

    /// <param name="send">Sends one batch; returns one result per item, in order, or throws for the whole batch.</param>
    /// <param name="batching">Batch size and concurrency.</param>
    public RequestBatcher(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> send, SolverBatching batching)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(batching);
        if (batching.MaxBatch < 1 || batching.MaxInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batching), batching, "MaxBatch and MaxInFlight must be at least 1.");
        }

        _send = send;
        _batching = batching;
    }

    /// <summary>Items sent so far [count].</summary>
    public long Items { get; private set; }

    /// <summary>Batch requests sent so far [count].</summary>
    public long Batches { get; private set; }

    public Task<TResult> RunAsync(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        List<(TItem Item, TaskCompletionSource<TResult> Done)>? batch = null;
        lock (_gate)
        {
            _queue.Enqueue((item, done));
            if (_inFlight < _batching.MaxInFlight)
            {
                _inFlight++;
                batch = TakeLocked();
            }
        }

        if (batch is not null)
        {
            _ = SendAsync(batch);
        }

        return done.Task;
    }

    private List<(TItem Item, TaskCompletionSource<TResult> Done)> TakeLocked()
    {
        var batch = new List<(TItem, TaskCompletionSource<TResult>)>(Math.Min(_queue.Count, _batching.MaxBatch));
        while (batch.Count < _batching.MaxBatch && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        Items += batch.Count;
        Batches++;
        return batch;
    }

    private async Task SendAsync(List<(TItem Item, TaskCompletionSource<TResult> Done)> batch)
    {
        while (true)
        {
            try
            {
                var results = await _send([.. batch.Select(b => b.Item)]).ConfigureAwait(false);
                if (results.Count != batch.Count)
                {
                    throw new InvalidOperationException($"A batch of {batch.Count} items was answered with {results.Count} results.");
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(e);
                }
            }

            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _inFlight--;
                    return;
                }

                batch = TakeLocked();
            }
        }
    }
}
