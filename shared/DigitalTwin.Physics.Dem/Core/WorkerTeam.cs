// A fixed team of threads running one SPMD body with cheap spin barriers between phases, so a time
// step costs a few barrier crossings instead of task dispatches. Work split never changes results.
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

    /// <summary>Sense-reversing barrier for the members of the current Run.</summary>
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
            _barrierSense = 1 - sense;
            return;
        }

        var spin = new SpinWait();
        while (_barrierSense == sense)
        {
            if (_failure is not null)
            {
                throw new OperationCanceledException("A DEM worker thread failed; leaving the barrier.");
            }

            spin.SpinOnce(-1);
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
