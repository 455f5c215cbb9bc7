// Volatile grain timers: ticks from the host clock, delivered as turns, never overlapping, gone with the activation.
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Grains.Hosting;

/// <summary>A grain timer. A tick that finds the previous one still queued or running is skipped, not stacked.</summary>
internal sealed class GrainTimer(GrainActivation activation, Func<CancellationToken, ValueTask> callback, ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private ITimer? _timer;
    private bool _pending;

    public void Start(TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime < TimeSpan.Zero || (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan))
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), $"Timer of grain {activation.Id}: due time and period must not be negative (due {dueTime}, period {period}).");
        }

        lock (_gate)
        {
            _timer = activation.TimeProvider.CreateTimer(static s => ((GrainTimer)s!).OnTick(), this, dueTime, period == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : period);
        }
    }

    public async ValueTask RunTickAsync()
    {
        try
        {
            if (!_disposed.IsCancellationRequested)
            {
                await callback(_disposed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!_disposed.IsCancellationRequested)
        {
            logger.LogError(e, "Timer callback of grain {Grain} failed", activation.Id);
        }
        finally
        {
            TickAbandoned();
        }
    }

    public void TickAbandoned()
    {
        lock (_gate)
        {
            _pending = false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
            _timer?.Dispose();
            _timer = null;
        }

        activation.RemoveTimer(this);
    }

    private void OnTick()
    {
        lock (_gate)
        {
            if (_pending || _disposed.IsCancellationRequested)
            {
                return;
            }

            _pending = true;
        }

        if (!activation.TryEnqueue(new TimerWorkItem(this)))
        {
            TickAbandoned();
        }
    }
}
