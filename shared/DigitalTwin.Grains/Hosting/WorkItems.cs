// The messages an activation's mailbox holds: calls, reminder ticks, timer ticks, activation and deactivation.
namespace DigitalTwin.Grains.Hosting;

/// <summary>One turn of an activation.</summary>
internal abstract class WorkItem
{
    /// <summary>Calls and reminders count as use (they reset the idle clock); timers and lifecycle items do not.</summary>
    public virtual bool KeepsAlive => false;

    public abstract ValueTask ExecuteAsync(GrainActivation activation);

    /// <summary>Called when the item cannot run any more (activation failed, host stopped).</summary>
    public virtual void Fail(Exception exception)
    {
    }

    /// <summary>Fails the caller if the deadline passed; a call that has not started is then never run.</summary>
    public virtual void ExpireIfDue(long nowTimestamp, GrainId grain)
    {
    }
}

/// <summary>A call from a grain reference, with its deadline.</summary>
internal sealed class InvokeWorkItem<TResult>(GrainMethod<TResult> method, object?[] arguments, long deadline, TimeSpan timeout) : WorkItem
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    public override bool KeepsAlive => true;

    public override async ValueTask ExecuteAsync(GrainActivation activation)
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        try
        {
            _completion.TrySetResult(await method.InvokeAsync(activation.Grain!, arguments).ConfigureAwait(false));
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
            _completion.TrySetException(new GrainCallTimeoutException(grain, $"{method.GrainInterface.Name}.{method.Name}", timeout));
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

/// <summary>Timestamps in the host's clock units.</summary>
internal static class Timestamps
{
    public static long Add(TimeProvider time, long timestamp, TimeSpan span) =>
        timestamp + (long)(span.Ticks * ((double)time.TimestampFrequency / TimeSpan.TicksPerSecond));

    public static TimeSpan Elapsed(TimeProvider time, long from, long to) =>
        TimeSpan.FromTicks((long)((to - from) * ((double)TimeSpan.TicksPerSecond / time.TimestampFrequency)));
}
