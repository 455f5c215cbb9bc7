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

    /// <summary>Inline calls nested deeper than this (a chain of grain calls on one thread) are queued instead.</summary>
    private const int MaxInlineDepth = 8;

    [ThreadStatic]
    private static int _inlineDepth;

    private readonly LocalGrainHost _host;
    private readonly GrainRegistration _registration;
    private readonly Lock _gate = new();
    private readonly Queue<WorkItem> _mailbox = new();
    private readonly List<WorkItem> _arrivedWhileEnding = [];
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivationStatus _status = ActivationStatus.Activating;
    private GrainActivation? _successor;
    private readonly Action _resume;
    private WorkItem? _current;
    private WorkItem? _finished;
    private WorkItem? _pendingItem;
    private ValueTask _pendingTurn;
    private bool _scheduled;
    private long _lastUsed;

    public GrainActivation(LocalGrainHost host, GrainId id, GrainRegistration registration, IEnumerable<WorkItem>? handedOver = null)
    {
        _host = host;
        Id = id;
        _registration = registration;
        _resume = Resume;
        _lastUsed = host.Clock.NowMs;
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
                    if (TakeInlineLocked(item))
                    {
                        goto inline;
                    }

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

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        return true;

    inline:
        RunInline(item);
        return true;

    forward:
        return successor.TryEnqueue(item);
    }

    /// <summary>Queues a turn only while this activation is activating or active (the fast path of a cached reference).</summary>
    public bool TryEnqueueWhileLive(WorkItem item)
    {
        bool inline, schedule = false;
        lock (_gate)
        {
            if (_status is not (ActivationStatus.Activating or ActivationStatus.Active))
            {
                return false;
            }

            inline = TakeInlineLocked(item);
            if (!inline)
            {
                _mailbox.Enqueue(item);
                schedule = !_scheduled;
                _scheduled = true;
            }
        }

        if (inline)
        {
            RunInline(item);
        }
        else if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }

        return true;
    }

    /// <summary>
    /// Under the lock: takes the turn for a call that can run right now on the caller's thread — the activation is
    /// active, idle and has nothing queued — so the call costs no thread-pool hop and completes synchronously when
    /// the grain method does. Turn-based order is unchanged: the activation counts as scheduled while it runs.
    /// </summary>
    private bool TakeInlineLocked(WorkItem item)
    {
        if (_status != ActivationStatus.Active || _scheduled || _mailbox.Count > 0 || !item.MayRunInline || !_host.Options.RunIdleCallsInline || _inlineDepth >= MaxInlineDepth)
        {
            return false;
        }

        _scheduled = true;
        _current = item;
        return true;
    }

    private void RunInline(WorkItem item)
    {
        ValueTask turn;
        _inlineDepth++;
        try
        {
            turn = item.ExecuteAsync(this);
        }
        catch (Exception e)
        {
            _host.Logger.LogError(e, "Turn of grain {Grain} failed outside the grain call", Id);
            turn = default;
        }
        finally
        {
            _inlineDepth--;
        }

        if (!turn.IsCompleted)
        {
            _pendingTurn = turn;
            _pendingItem = item;
            turn.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_resume);
            return;
        }

        Observe(turn);

        // What queued meanwhile is drained on the thread pool, not on the caller's thread.
        bool more;
        lock (_gate)
        {
            _lastUsed = _host.Clock.NowMs;
            more = _mailbox.Count > 0;
            if (more)
            {
                _finished = item;
            }
            else
            {
                _current = null;
                _scheduled = false;
            }
        }

        if (more)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
        else
        {
            item.Release();
        }
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

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
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

        return now - _lastUsed >= HostClock.Milliseconds(idleTimeout);
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

    void IThreadPoolWorkItem.Execute() => Drain();

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
                item.Release();
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

            if (reason == DeactivationReason.IdleTimeout && !IdleLocked(_host.Clock.NowMs, _host.Options.IdleTimeout))
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
            item.Release();
        }

        _host.OnDeactivated(this, successor);
        _deactivated.TrySetResult();
    }

    public ValueTask<(TState? State, string? ETag)> ReadStateAsync<TState>(CancellationToken cancellationToken)
        where TState : class => _host.ReadStateAsync<TState>(Id, cancellationToken);

    public ValueTask<string> WriteStateAsync<TState>(TState state, string? etag, CancellationToken cancellationToken)
        where TState : class => _host.WriteStateAsync(Id, state, etag, Grain?.PersistenceRoot, cancellationToken);

    public ValueTask ClearStateAsync(string? etag, CancellationToken cancellationToken) =>
        _host.ClearStateAsync(Id, etag, cancellationToken);

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

    /// <summary>
    /// Drains the mailbox: turns that complete synchronously run back to back without allocation; a turn that awaits
    /// parks the loop and re-queues it when the turn ends (never resuming inline on the thread that completed it).
    /// </summary>
    private void Drain()
    {
        var turns = 0;
        var finished = _finished;
        _finished = null;
        while (true)
        {
            WorkItem? item;
            lock (_gate)
            {
                // One lock per turn: close the previous turn and take the next item together.
                if (finished is not null && finished.KeepsAlive)
                {
                    _lastUsed = _host.Clock.NowMs;
                }

                if (!_mailbox.TryDequeue(out item))
                {
                    _current = null;
                    _scheduled = false;
                }
                else
                {
                    _current = item;
                }
            }

            finished?.Release();
            finished = null;
            if (item is null)
            {
                return;
            }

            ValueTask turn;
            try
            {
                turn = item.ExecuteAsync(this);
            }
            catch (Exception e)
            {
                _host.Logger.LogError(e, "Turn of grain {Grain} failed outside the grain call", Id);
                turn = default;
            }

            if (!turn.IsCompleted)
            {
                _pendingTurn = turn;
                _pendingItem = item;
                turn.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_resume);
                return;
            }

            Observe(turn);
            finished = item;

            // Give other activations the thread now and then: one busy grain must not starve the rest.
            if (++turns == TurnsPerDispatch)
            {
                _finished = finished;
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
                return;
            }
        }
    }

    private void Resume()
    {
        var turn = _pendingTurn;
        _pendingTurn = default;
        _finished = _pendingItem;
        _pendingItem = null;
        Observe(turn);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    private void Observe(ValueTask turn)
    {
        try
        {
            turn.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _host.Logger.LogError(e, "Turn of grain {Grain} failed outside the grain call", Id);
        }
    }
}
