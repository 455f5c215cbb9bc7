// One live grain: its instance, its mailbox (one turn at a time), its timers, and its lifecycle.
using Microsoft.Extensions.Logging;

namespace DigitalTwin.Grains.Hosting;

internal enum ActivationStatus
{
    Activating,
    Active,
    Deactivating,
    Deactivated,
}

/// <summary>
/// A grain activation in the local host. Calls queue in a mailbox drained by at most one thread-pool work item at a
/// time, and each turn (including its awaits) completes before the next starts: that is the turn-based guarantee.
/// </summary>
internal sealed class GrainActivation : IGrainContext, IThreadPoolWorkItem
{
    private const int TurnsPerDispatch = 64;

    private readonly LocalGrainHost _host;
    private readonly GrainRegistration _registration;
    private readonly Lock _gate = new();
    private readonly Queue<WorkItem> _mailbox = new();
    private readonly List<WorkItem> _arrivedWhileEnding = [];
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivationStatus _status = ActivationStatus.Activating;
    private GrainActivation? _successor;
    private WorkItem? _current;
    private bool _scheduled;
    private long _lastUsed;

    public GrainActivation(LocalGrainHost host, GrainId id, GrainRegistration registration, IEnumerable<WorkItem>? handedOver = null)
    {
        _host = host;
        Id = id;
        _registration = registration;
        _lastUsed = host.TimeProvider.GetTimestamp();
        _mailbox.Enqueue(new ActivateWorkItem());
        foreach (var item in handedOver ?? [])
        {
            _mailbox.Enqueue(item);
        }
    }

    public GrainId Id { get; }

    public Grain? Grain { get; private set; }

    public IGrainFactory GrainFactory => _host.GrainFactory;

    public TimeProvider TimeProvider => _host.TimeProvider;

    /// <summary>Completes when this activation is gone and anything still queued was handed to its successor.</summary>
    public Task WhenDeactivated => _deactivated.Task;

    public ActivationStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>
    /// Queues a turn. While the activation ends, calls are held and handed to its successor in arrival order; false
    /// only once it ended with nothing to hand over (the caller then resolves the grain again).
    /// </summary>
    public bool TryEnqueue(WorkItem item)
    {
        GrainActivation? successor;
        lock (_gate)
        {
            switch (_status)
            {
                case ActivationStatus.Activating or ActivationStatus.Active:
                    _mailbox.Enqueue(item);
                    if (_scheduled)
                    {
                        return true;
                    }

                    _scheduled = true;
                    break;
                case ActivationStatus.Deactivating:
                    _arrivedWhileEnding.Add(item);
                    return true;
                default:
                    successor = _successor;
                    if (successor is null)
                    {
                        return false;
                    }

                    goto forward;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;

    forward:
        return successor.TryEnqueue(item);
    }

    /// <summary>Starts draining a mailbox that was filled before the activation was published (a successor).</summary>
    public void Kick()
    {
        lock (_gate)
        {
            if (_scheduled || _mailbox.Count == 0)
            {
                return;
            }

            _scheduled = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>True when no call is queued or running and the last one ended at least <paramref name="idleTimeout"/> ago (timer ticks do not count).</summary>
    public bool IsIdle(long now, TimeSpan idleTimeout)
    {
        lock (_gate)
        {
            return _status == ActivationStatus.Active && IdleLocked(now, idleTimeout);
        }
    }

    private bool IdleLocked(long now, TimeSpan idleTimeout)
    {
        if (_current is { KeepsAlive: true } || _mailbox.Any(i => i.KeepsAlive))
        {
            return false;
        }

        return Timestamps.Elapsed(_host.TimeProvider, _lastUsed, now) >= idleTimeout;
    }

    /// <summary>Fails every queued or running call whose deadline passed.</summary>
    public void ExpireCalls(long now)
    {
        lock (_gate)
        {
            _current?.ExpireIfDue(now, Id);
            foreach (var item in _mailbox)
            {
                item.ExpireIfDue(now, Id);
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    public async ValueTask ActivateAsync()
    {
        try
        {
            var grain = _registration.Create();
            ((IGrainLifecycle)grain).Attach(this);
            Grain = grain;
            await ((IGrainLifecycle)grain).ActivateAsync(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _status = ActivationStatus.Active;
            }
        }
        catch (Exception e)
        {
            _host.Logger.LogError(e, "Activation of grain {Grain} failed", Id);
            List<WorkItem> queued;
            lock (_gate)
            {
                _status = ActivationStatus.Deactivated;
                queued = [.. _mailbox];
                _mailbox.Clear();
            }

            var failure = new GrainActivationException(Id, e);
            foreach (var item in queued)
            {
                item.Fail(failure);
            }

            _host.OnDeactivated(this, null);
            _deactivated.TrySetResult();
        }
    }

    public async ValueTask DeactivateAsync(DeactivationReason reason)
    {
        List<WorkItem> leftovers;
        lock (_gate)
        {
            if (_status != ActivationStatus.Active)
            {
                return;
            }

            if (reason == DeactivationReason.IdleTimeout && !IdleLocked(_host.TimeProvider.GetTimestamp(), _host.Options.IdleTimeout))
            {
                return;
            }

            _status = ActivationStatus.Deactivating;
            leftovers = [.. _mailbox];
            _mailbox.Clear();
        }

        DisposeTimers();
        try
        {
            using var budget = new CancellationTokenSource(_host.Options.DeactivationTimeout, _host.TimeProvider);
            await ((IGrainLifecycle)Grain!).DeactivateAsync(reason, budget.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _host.Logger.LogError(e, "Deactivation of grain {Grain} ({Reason}) failed; state since its last write is lost", Id, reason);
        }

        // Calls still queued or arriving meanwhile go, in order, to a successor that is published in one step.
        GrainActivation? successor;
        List<WorkItem> dropped;
        lock (_gate)
        {
            leftovers.AddRange(_arrivedWhileEnding);
            _arrivedWhileEnding.Clear();
            var handOver = leftovers.Where(i => i.KeepsAlive).ToList();
            dropped = [.. leftovers.Where(i => !i.KeepsAlive)];
            successor = handOver.Count > 0 ? _host.CreateSuccessor(Id, _registration, handOver) : null;
            _successor = successor;
            _status = ActivationStatus.Deactivated;
        }

        foreach (var item in dropped)
        {
            item.Fail(new ObjectDisposedException(Id.ToString(), $"Grain {Id} ended."));
        }

        _host.OnDeactivated(this, successor);
        _deactivated.TrySetResult();
    }

    public ValueTask<(TState? State, string? ETag)> ReadStateAsync<TState>(CancellationToken cancellationToken)
        where TState : class => _host.ReadStateAsync<TState>(Id, cancellationToken);

    public ValueTask<string> WriteStateAsync<TState>(TState state, string? etag, CancellationToken cancellationToken)
        where TState : class => _host.WriteStateAsync(Id, state, etag, cancellationToken);

    public ValueTask ClearStateAsync(string? etag, CancellationToken cancellationToken) =>
        _host.Store.ClearAsync(Id, etag, cancellationToken);

    public IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new GrainTimer(this, callback, _host.Logger);
        lock (_gate)
        {
            if (_status >= ActivationStatus.Deactivating)
            {
                throw new InvalidOperationException($"Grain {Id} cannot register a timer while deactivating.");
            }

            _timers.Add(timer);
        }

        timer.Start(dueTime, period);
        return timer;
    }

    public ValueTask RegisterOrUpdateReminderAsync(string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        if (Grain is not IRemindable)
        {
            throw new InvalidOperationException($"Grain {Id} registers reminder '{reminderName}' but {Grain?.GetType().Name} does not implement IRemindable.");
        }

        return _host.Reminders.RegisterAsync(Id, reminderName, dueTime, period);
    }

    public ValueTask UnregisterReminderAsync(string reminderName) => _host.Reminders.UnregisterAsync(Id, reminderName);

    public void DeactivateOnIdle() => TryEnqueue(new DeactivateWorkItem(DeactivationReason.Requested));

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private void DisposeTimers()
    {
        GrainTimer[] timers;
        lock (_gate)
        {
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }

    private async Task RunAsync()
    {
        var turns = 0;
        WorkItem? finished = null;
        while (true)
        {
            WorkItem? item;
            lock (_gate)
            {
                // One lock per turn: close the previous turn and take the next item together.
                if (finished is not null && finished.KeepsAlive)
                {
                    _lastUsed = _host.TimeProvider.GetTimestamp();
                }

                if (!_mailbox.TryDequeue(out item))
                {
                    _current = null;
                    _scheduled = false;
                    return;
                }

                _current = item;
            }

            try
            {
                await item.ExecuteAsync(this).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _host.Logger.LogError(e, "Turn of grain {Grain} failed outside the grain call", Id);
            }

            finished = item;

            // Give other activations the thread now and then: one busy grain must not starve the rest.
            if (++turns == TurnsPerDispatch)
            {
                lock (_gate)
                {
                    _current = null;
                    if (finished.KeepsAlive)
                    {
                        _lastUsed = _host.TimeProvider.GetTimestamp();
                    }
                }

                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }
        }
    }
}
