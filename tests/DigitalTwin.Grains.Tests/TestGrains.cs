// Small grains that exercise the runtime: a counter with a turn-overlap detector, a stateful register, a sleeper, a pair that calls each other.
using System.Collections.Concurrent;

namespace DigitalTwin.Grains.Tests;

/// <summary>Shared observations of the test grains (one instance per test).</summary>
public sealed class Probe
{
    private int _inTurn;

    public int Overlaps;
    public int Activations;
    public int Deactivations;
    public int Executions;
    public ConcurrentQueue<int> Order { get; } = new();
    public ConcurrentQueue<(string Grain, string Reminder, ReminderTick Tick)> Reminders { get; } = new();
    public ConcurrentQueue<DeactivationReason> DeactivationReasons { get; } = new();
    public TaskCompletionSource Started { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource DeactivationGate { get; set; } = Completed();
    public TaskCompletionSource Deactivated { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<ReminderTick> ReminderSeen { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Set by a timer tick (counter grain) or when a ping grain has sent its question (ping grain).</summary>
    public TaskCompletionSource TimerTicked { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool FailActivation;
    public int TimerTicks;

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    public void Enter()
    {
        if (Interlocked.Exchange(ref _inTurn, 1) != 0)
        {
            Interlocked.Increment(ref Overlaps);
        }
    }

    public void Leave() => Volatile.Write(ref _inTurn, 0);
}

public interface ICounterGrain : IGrain
{
    /// <summary>Read-modify-write across awaits: lost updates or overlaps show up if turns interleave.</summary>
    ValueTask<int> IncrementAsync(int tag);

    ValueTask<int> GetAsync();

    ValueTask FailAsync(string message);

    /// <summary>Waits on the probe's gate (a call that does not finish until the test says so).</summary>
    ValueTask WaitForGateAsync();

    ValueTask StartTimerAsync(TimeSpan period);
}

public sealed class CounterGrain(Probe probe) : Grain, ICounterGrain
{
    private int _count;

    public override ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref probe.Activations);
        if (probe.FailActivation)
        {
            throw new InvalidOperationException("activation refused by the test");
        }

        return default;
    }

    public override ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.DeactivationReasons.Enqueue(reason);
        Interlocked.Increment(ref probe.Deactivations);
        probe.Deactivated.TrySetResult();
        return default;
    }

    public async ValueTask<int> IncrementAsync(int tag)
    {
        probe.Enter();
        Interlocked.Increment(ref probe.Executions);
        var read = _count;
        await Task.Yield();
        await Task.Delay(0);
        _count = read + 1;
        probe.Order.Enqueue(tag);
        probe.Leave();
        return _count;
    }

    public ValueTask<int> GetAsync() => new(_count);

    public ValueTask FailAsync(string message) => throw new ArgumentException(message);

    public async ValueTask WaitForGateAsync()
    {
        Interlocked.Increment(ref probe.Executions);
        probe.Started.TrySetResult();
        await probe.Gate.Task;
    }

    public ValueTask StartTimerAsync(TimeSpan period)
    {
        RegisterTimer(async _ =>
        {
            probe.Enter();
            await Task.Yield();
            Interlocked.Increment(ref probe.TimerTicks);
            probe.Leave();
            probe.TimerTicked.TrySetResult();
        }, period, period);
        return default;
    }
}

/// <summary>Persisted state of a register grain.</summary>
public sealed record RegisterState(string Value, int Writes, IReadOnlyList<double> History);

public interface IRegisterGrain : IGrain, IRemindable
{
    /// <summary>Sets the value and writes state.</summary>
    ValueTask SetAsync(string value);

    /// <summary>Sets the value without writing; deactivation must write it.</summary>
    ValueTask SetUnsavedAsync(string value);

    ValueTask<RegisterState> GetAsync();

    ValueTask RemindAsync(string name, TimeSpan due, TimeSpan period);

    ValueTask ForgetAsync(string name);

    ValueTask LeaveAsync();
}

public sealed class RegisterGrain(Probe probe) : Grain<RegisterState>, IRegisterGrain
{
    protected override RegisterState CreateInitialState() => new("", 0, []);

    public override ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref probe.Activations);
        return default;
    }

    public override async ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.DeactivationReasons.Enqueue(reason);
        Interlocked.Increment(ref probe.Deactivations);
        probe.Deactivated.TrySetResult();
        await probe.DeactivationGate.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask SetAsync(string value)
    {
        State = State with { Value = value, Writes = State.Writes + 1, History = [.. State.History, value.Length + 0.1] };
        await WriteStateAsync();
    }

    public ValueTask SetUnsavedAsync(string value)
    {
        State = State with { Value = value, History = [.. State.History, double.NaN] };
        return default;
    }

    public ValueTask<RegisterState> GetAsync() => new(State);

    public ValueTask RemindAsync(string name, TimeSpan due, TimeSpan period) => RegisterOrUpdateReminderAsync(name, due, period);

    public ValueTask ForgetAsync(string name) => UnregisterReminderAsync(name);

    public ValueTask LeaveAsync()
    {
        DeactivateOnIdle();
        return default;
    }

    public ValueTask ReceiveReminderAsync(string reminderName, ReminderTick tick)
    {
        probe.Reminders.Enqueue((GrainKey, reminderName, tick));
        probe.ReminderSeen.TrySetResult(tick);
        return default;
    }
}

public interface IPingGrain : IGrain
{
    /// <summary>Asks the grain named <paramref name="other"/> for its key and returns both.</summary>
    ValueTask<string> AskAsync(string other);

    ValueTask<string> NameAsync();

    /// <summary>Calls <paramref name="other"/>, which calls back into this grain: a cycle that can only end by timeout.</summary>
    ValueTask<string> CycleAsync(string other);

    ValueTask RemindAsync();
}

public sealed class PingGrain(Probe? probe = null) : Grain, IPingGrain
{
    public async ValueTask<string> AskAsync(string other)
    {
        var call = GrainFactory.GetGrain<IPingGrain>(other).NameAsync();
        probe?.TimerTicked.TrySetResult();
        return $"{GrainKey}->{await call}";
    }

    public ValueTask<string> NameAsync() => new(GrainKey);

    public ValueTask<string> CycleAsync(string other) => GrainFactory.GetGrain<IPingGrain>(other).AskAsync(GrainKey);

    public ValueTask RemindAsync() => RegisterOrUpdateReminderAsync("never", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
}

public interface IGroupRootGrain : IGrain
{
    /// <summary>Writes its member "key/m" with <paramref name="value"/>, then (after the probe's gate when <paramref name="hold"/>) itself.</summary>
    ValueTask StepAsync(string value, bool hold);

    ValueTask<RegisterState> GetAsync();
}

public interface IGroupMemberGrain : IGrain
{
    ValueTask SetAsync(string value);
}

public sealed class GroupRootGrain(Probe probe) : Grain<RegisterState>, IGroupRootGrain
{
    protected override RegisterState CreateInitialState() => new("", 0, []);

    public async ValueTask StepAsync(string value, bool hold)
    {
        await GrainFactory.GetGrain<IGroupMemberGrain>($"{GrainKey}/m").SetAsync(value);
        if (hold)
        {
            probe.Started.TrySetResult();
            await probe.Gate.Task;
        }

        State = State with { Value = value, Writes = State.Writes + 1 };
        await WriteStateAsync();
    }

    public ValueTask<RegisterState> GetAsync() => new(State);
}

/// <summary>Persists with its root (the key before the first '/'), as a particle grain persists with its cell.</summary>
public sealed class GroupMemberGrain : Grain<RegisterState>, IGroupMemberGrain
{
    protected internal override GrainId? PersistenceRoot => new GrainId("GroupRootGrain", GrainKey.Split('/')[0]);

    protected override RegisterState CreateInitialState() => new("", 0, []);

    public async ValueTask SetAsync(string value)
    {
        State = State with { Value = value, Writes = State.Writes + 1 };
        await WriteStateAsync();
    }
}
