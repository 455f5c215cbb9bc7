// The twin's side of Ingest's Subscribe stream: routes sample batches to their cells in log order, retries what a cell
// defers, stores the log position every cell has applied, and resubscribes after it with backoff when Ingest is down.
using DigitalTwin.Contracts.Telemetry.V1;
using DigitalTwin.GrainInterfaces;
using DigitalTwin.Twin.Mapping;
using Microsoft.Extensions.Logging;
using Common = DigitalTwin.Contracts.Common.V1;

namespace DigitalTwin.Twin.Ingest;

/// <summary>How the consumer paces itself.</summary>
/// <param name="MaxInFlight">Batches being applied at once (over different cells; one cell's batches run in order) [count].</param>
/// <param name="InitialBackoff">First wait after a failed subscription or a deferred batch.</param>
/// <param name="MaxBackoff">Longest wait between attempts.</param>
/// <param name="CursorSaveInterval">Most time between stores of the applied position (re-delivery after a crash is harmless).</param>
public sealed record IngestConsumerOptions(int MaxInFlight = 64, TimeSpan? InitialBackoff = null, TimeSpan? MaxBackoff = null, TimeSpan? CursorSaveInterval = null)
{
    public TimeSpan FirstBackoff => InitialBackoff ?? TimeSpan.FromMilliseconds(200);

    public TimeSpan LongestBackoff => MaxBackoff ?? TimeSpan.FromSeconds(10);

    public TimeSpan SaveInterval => CursorSaveInterval ?? TimeSpan.FromMilliseconds(500);
}

/// <summary>What the consumer has done so far (a snapshot; counts since this process started).</summary>
public sealed record IngestConsumerStatus(
    bool Connected,
    ulong AppliedPosition,
    ulong StoredPosition,
    long Batches,
    long Samples,
    long Duplicates,
    long HeldSamples,
    long RefusedSamples,
    long Retries,
    long Reconnects,
    IReadOnlyDictionary<string, long> HeldByCell,
    string? LastError);

/// <summary>
/// Subscribes from the stored position and applies every sample batch to its <see cref="ICellGrain"/>. A position is
/// counted as applied only when it is complete and every batch up to it is applied, so the stored cursor never runs
/// ahead of the cells; cells skip what they already applied (per source sequence), which makes a replay exactly-once.
/// </summary>
public sealed class IngestConsumer
{
    /// <summary>The cursor grain's key (one Ingest log per twin).</summary>
    public const string CursorKey = "ingest";

    private readonly Func<ulong, CancellationToken, IAsyncEnumerable<SubscribeResponse>> _subscribe;
    private readonly IGrainFactory _grains;
    private readonly IngestConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<(ulong Position, bool Complete, Task Applied)> _window = new();
    private readonly Dictionary<string, Task> _lastByCell = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _heldByCell = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private ulong _applied;
    private ulong _stored;
    private long _lastSaveTicks;
    private long _batches, _samples, _duplicates, _held, _refused, _retries, _reconnects;
    private bool _connected;
    private string? _lastError;

    /// <param name="subscribe">Opens Ingest's Subscribe stream (follow) after a log position.</param>
    /// <param name="grains">Where the cells and the cursor live.</param>
    /// <param name="options">Window, backoff and cursor pacing.</param>
    /// <param name="time">Clock of the backoff and the cursor pacing.</param>
    /// <param name="logger">Held telemetry, retries and reconnects are logged here.</param>
    public IngestConsumer(Func<ulong, CancellationToken, IAsyncEnumerable<SubscribeResponse>> subscribe, IGrainFactory grains, IngestConsumerOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(subscribe);
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxInFlight, "MaxInFlight must be at least 1.");
        }

        _subscribe = subscribe;
        _grains = grains;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public IngestConsumerStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new(_connected, _applied, _stored, _batches, _samples, _duplicates, _held, _refused, _retries, _reconnects,
                    new Dictionary<string, long>(_heldByCell), _lastError);
            }
        }
    }

    /// <summary>Runs until cancelled: subscribe, apply, and on any failure drain, store the cursor, wait and resubscribe.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cursor = _grains.GetGrain<IIngestCursorGrain>(CursorKey);
        _applied = _stored = await cursor.GetPositionAsync();
        _logger.LogInformation("ingest subscription resumes after log position {Position}", _applied);
        var backoff = _options.FirstBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var message in _subscribe(_applied, cancellationToken).ConfigureAwait(false))
                {
                    if (!_connected)
                    {
                        SetConnected(true, null);
                        backoff = _options.FirstBackoff;
                    }

                    await AcceptAsync(message, cancellationToken).ConfigureAwait(false);
                }

                SetConnected(false, "the Subscribe stream ended");
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown (the call ends as cancelled, however the transport reports it).
                break;
            }
            catch (Exception e)
            {
                SetConnected(false, e.Message);
                _logger.LogWarning("ingest subscription failed ({Error}); retrying in {Backoff} ms", e.Message, backoff.TotalMilliseconds);
            }
            finally
            {
                await DrainAsync().ConfigureAwait(false);
                await SaveAsync(cursor, force: true).ConfigureAwait(false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            Interlocked.Increment(ref _reconnects);
            try
            {
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.LongestBackoff.Ticks));
        }
    }

    private void SetConnected(bool connected, string? error)
    {
        lock (_gate)
        {
            _connected = connected;
            _lastError = error ?? _lastError;
        }
    }

    private async Task AcceptAsync(SubscribeResponse message, CancellationToken cancellationToken)
    {
        var applied = Task.CompletedTask;
        if (message.DataCase == SubscribeResponse.DataOneofCase.Batch && message.Batch.Sequence.Count > 0)
        {
            var batch = message.Batch;
            _lastByCell.TryGetValue(batch.CellId, out var previous);
            applied = ApplyInOrderAsync(previous, batch, cancellationToken);
            _lastByCell[batch.CellId] = applied;
            if (_lastByCell.Count > 4 * _options.MaxInFlight)
            {
                foreach (var done in _lastByCell.Where(p => p.Value.IsCompleted).Select(p => p.Key).ToList())
                {
                    _lastByCell.Remove(done);
                }
            }
        }

        lock (_gate)
        {
            _window.Enqueue((message.Position, message.PositionComplete, applied));
        }

        // The position moves when batches finish, also while the stream is idle (a follow stream may wait for hours).
        _ = applied.ContinueWith(_ => Advanced(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Task? oldest;
        while ((oldest = Oldest()) is not null)
        {
            await oldest.ConfigureAwait(false);
            Advance();
        }
    }

    /// <summary>The oldest batch in flight when the window is full, else null.</summary>
    private Task? Oldest()
    {
        lock (_gate)
        {
            return _window.Count >= _options.MaxInFlight ? _window.Peek().Applied : null;
        }
    }

    private void Advanced()
    {
        Advance();
        _ = SaveQuietlyAsync();
    }

    private async Task SaveQuietlyAsync()
    {
        try
        {
            await SaveAsync(_grains.GetGrain<IIngestCursorGrain>(CursorKey), force: false).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The next save (or the one on disconnect) stores it; a lost save only means more re-delivery.
            _logger.LogDebug(e, "storing the ingest cursor failed");
        }
    }

    /// <summary>Moves the applied position over the leading batches that are done (stops at one that failed).</summary>
    private void Advance()
    {
        lock (_gate)
        {
            while (_window.Count > 0 && _window.Peek().Applied.IsCompletedSuccessfully)
            {
                var (position, complete, _) = _window.Dequeue();
                if (complete)
                {
                    _applied = Math.Max(_applied, position);
                }
            }
        }
    }

    private async Task DrainAsync()
    {
        Task[] inFlight;
        lock (_gate)
        {
            inFlight = [.. _window.Select(w => w.Applied)];
        }

        try
        {
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Batches cut off by shutdown stay unapplied; the position stops before them.
        }

        Advance();
        lock (_gate)
        {
            _window.Clear();
        }

        _lastByCell.Clear();
    }

    private async Task SaveAsync(IIngestCursorGrain cursor, bool force)
    {
        var now = _time.GetTimestamp();
        ulong applied;
        lock (_gate)
        {
            applied = _applied;
            if (applied <= _stored || (!force && _time.GetElapsedTime(_lastSaveTicks, now) < _options.SaveInterval))
            {
                return;
            }

            _lastSaveTicks = now;
        }

        await cursor.SetPositionAsync(applied);
        lock (_gate)
        {
            _stored = Math.Max(_stored, applied);
        }
    }

    private async Task ApplyInOrderAsync(Task? previous, Common.SampleBatch batch, CancellationToken cancellationToken)
    {
        if (previous is not null)
        {
            await previous.ConfigureAwait(false);
        }

        var problems = ContractMapping.BatchProblems(batch);
        if (problems.Count > 0)
        {
            // Ingest validated the batch; one that still does not map cannot become applicable by retrying.
            Interlocked.Add(ref _refused, batch.Sequence.Count);
            _logger.LogError("ingest batch for cell {Cell}, source {Source} refused: {Problems}", batch.CellId, batch.SourceId, string.Join("; ", problems));
            return;
        }

        var telemetry = new TelemetryBatch(batch.SourceId, ContractMapping.ToSamples(batch));
        var cell = _grains.GetGrain<ICellGrain>(batch.CellId);
        var backoff = _options.FirstBackoff;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string reason;
            try
            {
                var ack = await cell.ApplyTelemetryAsync(telemetry);
                if (ack.Disposition != TelemetryDisposition.Deferred)
                {
                    Count(batch.CellId, ack);
                    return;
                }

                reason = ack.Reason ?? "deferred by the cell";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                reason = e.Message;
                _logger.LogDebug(e, "cell {Cell} failed to apply a batch", batch.CellId);
            }

            Interlocked.Increment(ref _retries);
            _logger.LogWarning("cell {Cell} did not apply samples {First}..{Last} of {Source} ({Reason}); retrying in {Backoff} ms",
                batch.CellId, batch.Sequence[0], batch.Sequence[^1], batch.SourceId, reason, backoff.TotalMilliseconds);
            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.LongestBackoff.Ticks));
        }
    }

    private void Count(string cellId, TelemetryAck ack)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _samples, ack.Applied);
        Interlocked.Add(ref _duplicates, ack.Duplicates);
        Interlocked.Add(ref _refused, ack.Refused);
        if (ack.Disposition != TelemetryDisposition.Held)
        {
            return;
        }

        Interlocked.Add(ref _held, ack.Held);
        bool first;
        lock (_gate)
        {
            first = !_heldByCell.ContainsKey(cellId);
            _heldByCell[cellId] = _heldByCell.GetValueOrDefault(cellId) + ack.Held;
        }

        if (first)
        {
            _logger.LogWarning("telemetry for unregistered cell {Cell} is held until it is registered: {Reason}", cellId, ack.Reason);
        }
    }
}
