// Durable reminders: kept in the store's reminder table, scheduled on the host clock, delivered as grain turns.
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Grains.Reminders;

/// <summary>
/// Schedules every reminder in the table. Ticks missed while no host ran are collapsed into one tick delivered at
/// start (stamped with the latest missed due time); the delivered tick is recorded so a restart does not repeat it.
/// </summary>
public sealed class ReminderService : IAsyncDisposable
{
    private readonly IReminderTable _table;
    private readonly TimeProvider _time;
    private readonly Func<GrainId, string, ReminderTick, Task> _deliver;
    private readonly ILogger _logger;
    private readonly Dictionary<(GrainId Grain, string Name), Scheduled> _scheduled = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _tableGate = new(1, 1);
    private readonly HashSet<Task> _inFlight = [];
    private bool _stopped;

    /// <summary>Creates the service; <paramref name="deliver"/> runs a tick as a turn of the grain (activating it if needed).</summary>
    public ReminderService(IReminderTable table, TimeProvider time, Func<GrainId, string, ReminderTick, Task> deliver, ILogger logger)
    {
        _table = table;
        _time = time;
        _deliver = deliver;
        _logger = logger;
    }

    /// <summary>Number of reminders currently scheduled.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _scheduled.Count;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            Schedule(entry);
        }
    }

    public async ValueTask RegisterAsync(GrainId grain, string name, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (dueTime < TimeSpan.Zero || period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), $"Reminder '{name}' of grain {grain}: due time must be ≥ 0 and period > 0 (due {dueTime}, period {period}).");
        }

        var entry = new ReminderEntry(grain, name, _time.GetUtcNow() + dueTime, period, null);
        await _tableGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _table.UpsertAsync(entry, CancellationToken.None).ConfigureAwait(false);
            Schedule(entry);
        }
        finally
        {
            _tableGate.Release();
        }
    }

    public async ValueTask UnregisterAsync(GrainId grain, string name)
    {
        await _tableGate.WaitAsync().ConfigureAwait(false);
        try
        {
            Cancel((grain, name));
            await _table.RemoveAsync(grain, name, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _tableGate.Release();
        }
    }

    /// <summary>Stops scheduling; ticks being delivered finish and are recorded first.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] inFlight;
        lock (_gate)
        {
            _stopped = true;
            foreach (var s in _scheduled.Values)
            {
                s.StopTimer();
            }

            _scheduled.Clear();
            inFlight = [.. _inFlight];
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    /// <summary>The next tick to deliver: the first due time after the last delivered one, collapsed to the latest one already due.</summary>
    internal static DateTimeOffset NextTick(ReminderEntry entry, DateTimeOffset now)
    {
        var next = entry.LastTickTime is { } last && last >= entry.FirstTickTime
            ? entry.FirstTickTime + (Math.Floor((last - entry.FirstTickTime) / entry.Period) + 1) * entry.Period
            : entry.FirstTickTime;
        if (next < now)
        {
            next = entry.FirstTickTime + Math.Floor((now - entry.FirstTickTime) / entry.Period) * entry.Period;
        }

        return next;
    }

    private void Schedule(ReminderEntry entry)
    {
        var now = _time.GetUtcNow();
        var tick = NextTick(entry, now);
        var scheduled = new Scheduled(entry, tick);
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            if (_scheduled.Remove((entry.Grain, entry.Name), out var previous))
            {
                previous.Cancel();
            }

            _scheduled[(entry.Grain, entry.Name)] = scheduled;
            var delay = tick > now ? tick - now : TimeSpan.Zero;
            scheduled.Timer = _time.CreateTimer(static s => { var (service, sch) = ((ReminderService, Scheduled))s!; service.Fire(sch); }, (this, scheduled), delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Cancel((GrainId, string) key)
    {
        lock (_gate)
        {
            if (_scheduled.Remove(key, out var previous))
            {
                previous.Cancel();
            }
        }
    }

    private void Fire(Scheduled scheduled)
    {
        lock (_gate)
        {
            if (_stopped || scheduled.Removed)
            {
                return;
            }

            var task = FireAsync(scheduled);
            _inFlight.Add(task);
            task.ContinueWith(t => { lock (_gate) { _inFlight.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task FireAsync(Scheduled scheduled)
    {
        await Task.Yield();

        var entry = scheduled.Entry;
        try
        {
            await _deliver(entry.Grain, entry.Name, new ReminderTick(entry.FirstTickTime, entry.Period, scheduled.Tick)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Reminder '{Reminder}' of grain {Grain} (tick {Tick:O}) was not delivered", entry.Name, entry.Grain, scheduled.Tick);
        }

        await _tableGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (scheduled.Removed)
            {
                return;
            }

            var delivered = entry with { LastTickTime = scheduled.Tick };
            try
            {
                await _table.UpsertAsync(delivered, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Reminder '{Reminder}' of grain {Grain}: the delivered tick could not be recorded; it may repeat after a restart", entry.Name, entry.Grain);
            }

            if (!_stopped)
            {
                Schedule(delivered);
            }
        }
        finally
        {
            _tableGate.Release();
        }
    }

    private sealed class Scheduled(ReminderEntry entry, DateTimeOffset tick)
    {
        private volatile bool _removed;

        public ReminderEntry Entry { get; } = entry;

        public DateTimeOffset Tick { get; } = tick;

        public ITimer? Timer { get; set; }

        /// <summary>Unregistered or replaced: its tick must not be recorded or rescheduled.</summary>
        public bool Removed => _removed;

        public void Cancel()
        {
            _removed = true;
            Timer?.Dispose();
        }

        public void StopTimer() => Timer?.Dispose();
    }
}
