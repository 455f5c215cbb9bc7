// A clock that moves only when a test says so; timers created on it fire in due order during Advance.
namespace DigitalTwin.Grains.Testing;

/// <summary>A <see cref="TimeProvider"/> under test control (STYLE §11): no sleeps, time advances explicitly.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly DateTimeOffset _start = start;
    private DateTimeOffset _now = start;
    private long _sequence;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => (GetUtcNow() - _start).Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due, in order, at its due time.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= target).OrderBy(t => t.Due).ThenBy(t => t.Order).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.Due;
                if (next.Period > TimeSpan.Zero)
                {
                    next.Due += next.Period;
                    next.Order = ++_sequence;
                }
                else
                {
                    _timers.Remove(next);
                }
            }

            next.Callback(next.State);
        }
    }

    private void Schedule(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            // A timer due now fires at once on the thread pool, as a system timer would.
            if (dueTime == TimeSpan.Zero)
            {
                ThreadPool.QueueUserWorkItem(static t => t.Callback(t.State), timer, preferLocal: false);
                if (period <= TimeSpan.Zero || period == Timeout.InfiniteTimeSpan)
                {
                    return;
                }

                dueTime = period;
            }

            timer.Due = _now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            timer.Order = ++_sequence;
            _timers.Add(timer);
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; }

        public long Order { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Schedule(this, dueTime, period);
            return true;
        }

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
