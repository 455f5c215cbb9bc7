// The messages an activation's mailbox holds: calls, reminder ticks, timer ticks, activation and deactivation.
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
namespace DigitalTwin.Grains.Hosting;

/// <summary>One turn of an activation.</summary>
internal abstract class WorkItem
{
    /// <summary>Calls and reminders count as use (they reset the idle clock); timers and lifecycle items do not.</summary>
    public virtual bool KeepsAlive => false;

    /// <summary>Calls may run on the caller's thread when the activation is idle; lifecycle items and ticks never do.</summary>
    public virtual bool MayRunInline => false;

    public abstract ValueTask ExecuteAsync(GrainActivation activation);

    /// <summary>Called when the item cannot run any more (activation failed, host stopped).</summary>
    public virtual void Fail(Exception exception)
    {
    }

    /// <summary>The mailbox lets go of the item (it ran, or was failed and removed); pooled items may be reused after.</summary>
    public virtual void Release()
    {
    }

    /// <summary>Fails the caller if the deadline passed; a call that has not started is then never run.</summary>
    public virtual void ExpireIfDue(long nowTimestamp, GrainId grain)
    {
    }
}

/// <summary>
/// A call from a grain reference, with its deadline. Pooled: the same object is the mailbox entry and the source of
/// the caller's <see cref="ValueTask"/>, so a call allocates only its argument array. It returns to the pool once
/// both the caller has taken the result and the mailbox has let go of it (two references).
/// </summary>
internal sealed class CallWorkItem<TResult> : WorkItem, IValueTaskSource<TResult>, IValueTaskSource
{
    private const int PoolPerThread = 64;

    // One small pool per thread: calls are rented and mostly returned on the same threads, without contention.
    [ThreadStatic]
    private static CallWorkItem<TResult>[]? _pool;

    [ThreadStatic]
    private static int _pooled;

    private ManualResetValueTaskSourceCore<TResult> _core = new() { RunContinuationsAsynchronously = true };
    private GrainMethod<TResult>? _method;
    private object?[]? _arguments;
    private long _deadline;
    private TimeSpan _timeout;
    private int _completed;
    private int _references;

    public override bool KeepsAlive => true;

    public override bool MayRunInline => true;

    /// <summary>The caller's view of this call.</summary>
    public ValueTask<TResult> Result => new(this, _core.Version);

    /// <summary>The caller's view of a call without a result.</summary>
    public ValueTask VoidResult => new(this, _core.Version);

    public static CallWorkItem<TResult> Rent(GrainMethod<TResult> method, object?[] arguments, long deadline, TimeSpan timeout)
    {
        CallWorkItem<TResult> item;
        if (_pooled > 0)
        {
            item = _pool![--_pooled];
            _pool[_pooled] = null!;
        }
        else
        {
            item = new CallWorkItem<TResult>();
        }

        item._method = method;
        item._arguments = arguments;
        item._deadline = deadline;
        item._timeout = timeout;
        item._completed = 0;
        item._references = 2;
        return item;
    }

    public override ValueTask ExecuteAsync(GrainActivation activation)
    {
        if (Volatile.Read(ref _completed) != 0)
        {
            return default;
        }

        ValueTask<TResult> pending;
        try
        {
            pending = _method!.InvokeAsync(activation.Grain!, _arguments!);
        }
        catch (Exception e)
        {
            Fail(e);
            return default;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Complete(pending.Result);
            return default;
        }

        return AwaitAsync(pending);
    }

    public override void Fail(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetException(exception);
        }
    }

    public override void Release() => Unreference();

    public override void ExpireIfDue(long nowTimestamp, GrainId grain)
    {
        if (nowTimestamp >= _deadline && Volatile.Read(ref _completed) == 0)
        {
            Fail(new GrainCallTimeoutException(grain, $"{_method!.GrainInterface.Name}.{_method.Name}", _timeout));
        }
    }

    public TResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Unreference();
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Complete(TResult result)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetResult(result);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitAsync(ValueTask<TResult> pending)
    {
        try
        {
            Complete(await pending.ConfigureAwait(false));
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Unreference()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return;
        }

        _core.Reset();
        _method = null;
        _arguments = null;
        var pool = _pool ??= new CallWorkItem<TResult>[PoolPerThread];
        if (_pooled < PoolPerThread)
        {
            pool[_pooled++] = this;
        }
    }
}

/// <summary>A durable reminder tick delivered as a turn.</summary>
internal sealed class ReminderWorkItem(string name, ReminderTick tick, long deadline, TimeSpan timeout) : WorkItem
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _completion.Task;

    public override bool KeepsAlive => true;

    public override async ValueTask ExecuteAsync(GrainActivation activation)
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        try
        {
            if (activation.Grain is not IRemindable remindable)
            {
                throw new InvalidOperationException($"Grain {activation.Id} received reminder '{name}' but {activation.Grain?.GetType().Name} does not implement IRemindable.");
            }

            await remindable.ReceiveReminderAsync(name, tick).ConfigureAwait(false);
            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public override void ExpireIfDue(long nowTimestamp, GrainId grain)
    {
        if (nowTimestamp >= deadline && !_completion.Task.IsCompleted)
        {
            _completion.TrySetException(new GrainCallTimeoutException(grain, $"IRemindable.ReceiveReminderAsync({name})", timeout));
        }
    }
}

/// <summary>A volatile timer tick.</summary>
internal sealed class TimerWorkItem(GrainTimer timer) : WorkItem
{
    public override ValueTask ExecuteAsync(GrainActivation activation) => timer.RunTickAsync();

    public override void Fail(Exception exception) => timer.TickAbandoned();
}

/// <summary>The first turn: create the grain, read its state, run its activation hook.</summary>
internal sealed class ActivateWorkItem : WorkItem
{
    public override ValueTask ExecuteAsync(GrainActivation activation) => activation.ActivateAsync();
}

/// <summary>The last turn: deactivation hook, final state write, hand-over of anything still queued.</summary>
internal sealed class DeactivateWorkItem(DeactivationReason reason) : WorkItem
{
    public override ValueTask ExecuteAsync(GrainActivation activation) => activation.DeactivateAsync(reason);
}

/// <summary>
/// The host's coarse clock in milliseconds. Deadlines and idle times need no finer grain, and on the system clock it
/// reads <see cref="Environment.TickCount64"/> (a coarse monotonic clock, far cheaper per call than a timestamp).
/// </summary>
internal sealed class HostClock(TimeProvider time)
{
    private readonly bool _system = ReferenceEquals(time, TimeProvider.System);
    private readonly double _millisecondsPerTick = 1000.0 / time.TimestampFrequency;

    public long NowMs => _system ? Environment.TickCount64 : (long)(time.GetTimestamp() * _millisecondsPerTick);

    public static long Milliseconds(TimeSpan span) => (long)Math.Ceiling(span.TotalMilliseconds);
}
