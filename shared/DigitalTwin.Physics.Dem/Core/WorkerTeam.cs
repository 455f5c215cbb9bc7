// A fixed team of threads running one SPMD body with cheap barriers between phases, so a time step
// costs two barrier crossings instead of task dispatches. Waiters spin briefly, then sleep: on a
// machine shared with other jobs a descheduled partner must not cost a whole spinning time slice.
// Work split never changes results.
using System.Diagnostics;

namespace DigitalTwin.Physics.Dem;

internal sealed class WorkerTeam : IDisposable
{
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _start = new(0);
    private Action<int>? _body;
    private int _pending;
    private int _barrierCount;
    private volatile int _barrierSense;
    private volatile bool _disposed;
    private volatile Exception? _failure;
    private readonly object _gate = new();
    private int _sleepers;

    // ~50 us: longer than the usual imbalance between the two halves of a step, far shorter than a time slice
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000;

    public WorkerTeam(int count)
    {
        Count = Math.Max(1, count);
        _workers = new Thread[Count - 1];
        for (var k = 0; k < _workers.Length; k++)
        {
            var tid = k + 1;
            _workers[k] = new Thread(() => WorkerLoop(tid)) { IsBackground = true, Name = $"dem-worker-{tid}" };
            _workers[k].Start();
        }
    }

    public int Count { get; }

    /// <summary>Runs body(tid) on every member (the caller is member 0) and returns when all are done.</summary>
    public void Run(Action<int> body)
    {
        if (Count == 1)
        {
            body(0);
            return;
        }

        _failure = null;
        _body = body;
        Volatile.Write(ref _pending, Count - 1);
        _start.Release(Count - 1);
        try
        {
            body(0);
        }
        catch (Exception e)
        {
            _failure ??= e;
        }

        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) > 0)
        {
            spin.SpinOnce(-1);
        }

        if (_failure is { } f)
        {
            throw new InvalidOperationException("A DEM worker thread failed.", f);
        }
    }

    /// <summary>Sense-reversing barrier for the members of the current Run: spin, then sleep on a monitor.</summary>
    public void Barrier()
    {
        if (Count == 1)
        {
            return;
        }

        var sense = _barrierSense;
        if (Interlocked.Increment(ref _barrierCount) == Count)
        {
            _barrierCount = 0;
            lock (_gate)
            {
                _barrierSense = 1 - sense;
                if (_sleepers > 0)
                {
                    Monitor.PulseAll(_gate);
                }
            }

            return;
        }

        var until = Stopwatch.GetTimestamp() + SpinTicks;
        while (_barrierSense == sense)
        {
            ThrowIfFailed();
            if (Stopwatch.GetTimestamp() > until)
            {
                Sleep(sense);
                return;
            }

            Thread.SpinWait(16);
        }
    }

    private void Sleep(int sense)
    {
        lock (_gate)
        {
            _sleepers++;
            try
            {
                while (_barrierSense == sense)
                {
                    ThrowIfFailed();
                    Monitor.Wait(_gate, 20);
                }
            }
            finally
            {
                _sleepers--;
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new OperationCanceledException("A DEM worker thread failed; leaving the barrier.");
        }
    }

    private void WorkerLoop(int tid)
    {
        while (true)
        {
            _start.Wait();
            if (_disposed)
            {
                return;
            }

            try
            {
                _body!(tid);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        if (_workers.Length > 0)
        {
            _start.Release(_workers.Length);
        }
    }
}
