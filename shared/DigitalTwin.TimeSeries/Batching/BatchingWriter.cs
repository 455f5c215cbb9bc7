// Fan-out batching in front of a sink (STYLE §4, the Orleans GPSTracker push-notifier shape):
// many producers add points, one flush is in flight at a time, each flush takes at most
// MaxBatchPoints, a timer flushes what is left, and disposal makes a final flush. Producers wait
// only when MaxPendingPoints are queued; a failed flush puts its points back for the next one.
using DigitalTwin.TimeSeries.Points;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DigitalTwin.TimeSeries.Batching;

public sealed record BatchingOptions
{
    public int MaxBatchPoints { get; init; } = 5_000;

    public int MaxPendingPoints { get; init; } = 200_000;

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

public sealed class BatchingWriter : IAsyncDisposable
{
    private readonly ITimeSeriesSink _sink;
    private readonly BatchingOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private PointBatch _pending;
    private Task _inFlight = Task.CompletedTask;
    private TaskCompletionSource _room = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private long _failedFlushes;
    private Exception? _lastFailure;
    private bool _disposed;

    public BatchingWriter(ITimeSeriesSink sink, BatchingOptions? options = null, ILogger<BatchingWriter>? logger = null)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _options = options ?? new BatchingOptions();
        if (_options.MaxBatchPoints < 1 || _options.MaxPendingPoints < _options.MaxBatchPoints || _options.FlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Invalid batching options: MaxBatchPoints {_options.MaxBatchPoints} (≥ 1), MaxPendingPoints {_options.MaxPendingPoints} (≥ MaxBatchPoints), FlushInterval {_options.FlushInterval} (> 0).", nameof(options));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _pending = new PointBatch(_options.MaxBatchPoints);
        _timer = _options.TimeProvider.CreateTimer(_ => OnTimer(), null, _options.FlushInterval, _options.FlushInterval);
    }

    /// <summary>Points the sink has accepted through this writer.</summary>
    public long Written => Interlocked.Read(ref _written);

    public long FailedFlushes => Interlocked.Read(ref _failedFlushes);

    /// <summary>Raised after each successful flush with the number of points written (on the flushing thread).</summary>
    public event Action<int>? Flushed;

    /// <summary>Queues a copy of the points; waits only while MaxPendingPoints are already queued.</summary>
    public ValueTask WriteAsync(PointBatch points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        points.Validate();
        Task? wait = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pending.Count >= _options.MaxPendingPoints)
            {
                wait = _room.Task;
            }
            else
            {
                for (var i = 0; i < points.Count; i++)
                {
                    _pending.AddFrom(points, i);
                }

                if (_pending.Count >= _options.MaxBatchPoints)
                {
                    StartFlushLocked();
                }
            }
        }

        return wait is null ? ValueTask.CompletedTask : WaitThenWriteAsync(wait, points, cancellationToken);
    }

    /// <summary>Waits until everything queued before the call has been written to the sink.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task inFlight;
            lock (_lock)
            {
                if (_pending.Count == 0 && _inFlight.IsCompleted)
                {
                    return;
                }

                StartFlushLocked();
                inFlight = _inFlight;
            }

            await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                if (_lastFailure is not null && _inFlight.IsCompleted)
                {
                    throw new InvalidOperationException("Time-series flush failed; the points are kept for the next attempt.", _lastFailure);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogError(ex, "Final time-series flush failed; {Points} points were not written.", _pending.Count);
        }
    }

    private async ValueTask WaitThenWriteAsync(Task room, PointBatch points, CancellationToken cancellationToken)
    {
        await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(points, cancellationToken).ConfigureAwait(false);
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (_pending.Count > 0)
            {
                StartFlushLocked();
            }
        }
    }

    /// <summary>Starts a flush of at most MaxBatchPoints unless one is already running.</summary>
    private void StartFlushLocked()
    {
        if (!_inFlight.IsCompleted || _pending.Count == 0)
        {
            return;
        }

        PointBatch batch;
        if (_pending.Count <= _options.MaxBatchPoints)
        {
            batch = _pending;
            _pending = new PointBatch(_options.MaxBatchPoints);
        }
        else
        {
            batch = new PointBatch(_options.MaxBatchPoints);
            var rest = new PointBatch(_pending.Count - _options.MaxBatchPoints);
            for (var i = 0; i < _pending.Count; i++)
            {
                (i < _options.MaxBatchPoints ? batch : rest).AddFrom(_pending, i);
            }

            _pending = rest;
        }

        _inFlight = Task.Run(() => FlushBatchAsync(batch));
    }

    private async Task FlushBatchAsync(PointBatch batch)
    {
        var ok = false;
        try
        {
            await _sink.WriteAsync(batch).ConfigureAwait(false);
            Interlocked.Add(ref _written, batch.Count);
            ok = true;
            Flushed?.Invoke(batch.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _failedFlushes);
            _logger.LogError(ex, "Time-series flush of {Points} points failed; they are kept for the next flush.", batch.Count);
            lock (_lock)
            {
                _lastFailure = ex;
                for (var i = 0; i < batch.Count; i++)
                {
                    _pending.AddFrom(batch, i);
                }
            }
        }
        finally
        {
            TaskCompletionSource room;
            lock (_lock)
            {
                if (ok)
                {
                    _lastFailure = null;
                }

                room = _room;
                _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (ok && _pending.Count >= _options.MaxBatchPoints)
                {
                    _inFlight = Task.CompletedTask;
                    StartFlushLocked();
                }
            }

            room.TrySetResult();
        }
    }
}
