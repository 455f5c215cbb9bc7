// Hands the twin's points to a time-series sink off the grain turn: grains enqueue small batches, one pump merges
// and writes them. Series are a derived view, so a full queue drops new points (counted) rather than stall a cell.
using DigitalTwin.TimeSeries;
using DigitalTwin.TimeSeries.Points;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Twin.Series;

/// <summary>Queue bound and write pacing of the series output.</summary>
/// <param name="MaxPendingPoints">Points queued before new ones are dropped [count].</param>
/// <param name="MaxBatchPoints">Most points per sink write [count].</param>
/// <param name="FlushInterval">Longest a point waits in the queue when few arrive.</param>
public sealed record TwinSeriesOptions(int MaxPendingPoints = 1_000_000, int MaxBatchPoints = 20_000, TimeSpan? FlushInterval = null)
{
    public TimeSpan Interval => FlushInterval ?? TimeSpan.FromMilliseconds(500);
}

/// <summary>What the series output has done [points].</summary>
public sealed record TwinSeriesStatus(long Enqueued, long Written, long Dropped, long Refused, long Pending, string? LastError);

public sealed class TwinSeriesWriter : IAsyncDisposable
{
    private readonly ITimeSeriesSink _sink;
    private readonly TwinSeriesOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentQueue<PointBatch> _queue = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private long _pending, _enqueued, _written, _dropped, _refused;
    private string? _lastError;

    public TwinSeriesWriter(ITimeSeriesSink sink, TwinSeriesOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        _sink = sink;
        _options = options;
        _time = time;
        _logger = logger;
        _pump = Task.Run(PumpAsync);
    }

    public TwinSeriesStatus Status =>
        new(Interlocked.Read(ref _enqueued), Interlocked.Read(ref _written), Interlocked.Read(ref _dropped), Interlocked.Read(ref _refused), Interlocked.Read(ref _pending), _lastError);

    /// <summary>Queues a batch without waiting; false (and counted) when the queue is full.</summary>
    public bool Enqueue(PointBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return true;
        }

        if (Interlocked.Add(ref _pending, batch.Count) > _options.MaxPendingPoints)
        {
            Interlocked.Add(ref _pending, -batch.Count);
            if (Interlocked.Add(ref _dropped, batch.Count) == batch.Count)
            {
                _logger.LogWarning("series output queue full ({Max} points): new points are dropped until the sink catches up", _options.MaxPendingPoints);
            }

            return false;
        }

        Interlocked.Add(ref _enqueued, batch.Count);
        _queue.Enqueue(batch);
        if (Interlocked.Read(ref _pending) >= _options.MaxBatchPoints)
        {
            _signal.Release();
        }

        return true;
    }

    /// <summary>Waits until every point queued before the call was written (or refused) by the sink.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Interlocked.Read(ref _pending) > 0)
        {
            _signal.Release();
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }

        await _sink.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _signal.Release();
        await _pump.ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task PumpAsync()
    {
        var batch = new PointBatch(_options.MaxBatchPoints);
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var stopping = _stop.IsCancellationRequested;
            if (batch.Count == 0 && !stopping)
            {
                try
                {
                    await _signal.WaitAsync(_options.Interval, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    stopping = true;
                }
            }

            while (batch.Count < _options.MaxBatchPoints && _queue.TryDequeue(out var next))
            {
                for (var i = 0; i < next.Count; i++)
                {
                    batch.AddFrom(next, i);
                }
            }

            if (batch.Count == 0)
            {
                if (stopping)
                {
                    return;
                }

                continue;
            }

            try
            {
                await _sink.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (ArgumentException e)
            {
                // Points the sink refuses (a field type conflict) will not be taken on a retry either.
                Interlocked.Add(ref _refused, batch.Count);
                _lastError = e.Message;
                _logger.LogError("series output: {Count} points refused by the sink: {Error}", batch.Count, e.Message);
            }
            catch (Exception e) when (!stopping)
            {
                _lastError = e.Message;
                _logger.LogWarning("series output: write failed ({Error}); retrying in {Backoff} ms", e.Message, backoff.TotalMilliseconds);
                await Task.Delay(backoff, _time).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                continue;
            }
            catch (Exception e)
            {
                _lastError = e.Message;
                _logger.LogWarning("series output: {Count} points not written at shutdown: {Error}", batch.Count, e.Message);
            }

            Interlocked.Add(ref _pending, -batch.Count);
            batch = new PointBatch(_options.MaxBatchPoints);
        }
    }
}
