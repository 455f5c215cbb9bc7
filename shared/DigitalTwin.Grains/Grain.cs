// Base classes for grain implementations: identity, lifecycle hooks, timers, reminders and persistent state.
namespace DigitalTwin.Grains;

/// <summary>
/// Base class of every grain. A grain holds identity and state and calls libraries; the host guarantees that at
/// most one call runs at a time per activation (turn-based), so grain code needs no locks.
/// </summary>
public abstract class Grain : IGrainLifecycle
{
    private IGrainContext? _context;

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => Context.Id;

    /// <summary>The key this grain is addressed by.</summary>
    protected string GrainKey => Context.Id.Key;

    protected IGrainFactory GrainFactory => Context.GrainFactory;

    protected TimeProvider TimeProvider => Context.TimeProvider;

    /// <summary>
    /// The grain this grain's state is persisted with, or null for itself. Under write-behind, a member's writes
    /// become durable only together with its root's next write, so the store never holds a member ahead of its root
    /// (e.g. a particle ahead of its cell). Members must be updated only within their root's turns.
    /// </summary>
    protected internal virtual GrainId? PersistenceRoot => null;

    protected IGrainContext Context =>
        _context ?? throw new InvalidOperationException($"{GetType().Name} is used before a grain host activated it.");

    /// <summary>Runs once per activation, before the first call (after state was read, for stateful grains).</summary>
    public virtual ValueTask OnActivateAsync(CancellationToken cancellationToken) => default;

    /// <summary>Runs once when the activation ends (idle, requested, or host shutdown).</summary>
    public virtual ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => default;

    /// <summary>A volatile timer; it dies with the activation. Use reminders for anything that must happen anyway.</summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterTimer(callback, dueTime, period);

    /// <summary>A durable reminder; the grain must implement <see cref="IRemindable"/>.</summary>
    protected ValueTask RegisterOrUpdateReminderAsync(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterOrUpdateReminderAsync(reminderName, dueTime, period);

    protected ValueTask UnregisterReminderAsync(string reminderName) => Context.UnregisterReminderAsync(reminderName);

    /// <summary>Asks the host to end this activation after the current turn.</summary>
    protected void DeactivateOnIdle() => Context.DeactivateOnIdle();

    void IGrainLifecycle.Attach(IGrainContext context)
    {
        if (_context is not null)
        {
            throw new InvalidOperationException($"{GetType().Name} is already attached to grain {_context.Id}; grain instances are not reused.");
        }

        _context = context;
    }

    ValueTask IGrainLifecycle.ActivateAsync(CancellationToken cancellationToken) => ActivateCoreAsync(cancellationToken);

    ValueTask IGrainLifecycle.DeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        DeactivateCoreAsync(reason, cancellationToken);

    private protected virtual ValueTask ActivateCoreAsync(CancellationToken cancellationToken) => OnActivateAsync(cancellationToken);

    private protected virtual ValueTask DeactivateCoreAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        OnDeactivateAsync(reason, cancellationToken);
}

/// <summary>
/// A grain with persistent state: an immutable record, read before <see cref="Grain.OnActivateAsync"/> and written
/// by <see cref="WriteStateAsync"/>. State replaced since the last write is written on deactivation as well.
/// </summary>
public abstract class Grain<TState> : Grain
    where TState : class
{
    private TState? _state;
    private TState? _persisted;
    private string? _etag;

    /// <summary>The current state; replace it with a new record (the old one stays valid for anyone holding it).</summary>
    protected TState State
    {
        get => _state ?? throw new InvalidOperationException($"State of {GetType().Name} is read before activation.");
        set => _state = value ?? throw new ArgumentNullException(nameof(value), "Grain state cannot be null; use ClearStateAsync.");
    }

    /// <summary>True when the state was read from storage or written at least once.</summary>
    protected bool RecordExists => _etag is not null;

    /// <summary>True when <see cref="State"/> was replaced since it was last read or written.</summary>
    protected bool IsStateDirty => !ReferenceEquals(_state, _persisted);

    /// <summary>The state of a grain that was never written.</summary>
    protected abstract TState CreateInitialState();

    /// <summary>Persists <see cref="State"/>; throws <see cref="InconsistentStateException"/> if another writer got there first.</summary>
    protected async ValueTask WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var state = State;
        _etag = await Context.WriteStateAsync(state, _etag, cancellationToken).ConfigureAwait(false);
        _persisted = state;
    }

    /// <summary>Removes the persisted state and resets <see cref="State"/> to the initial state.</summary>
    protected async ValueTask ClearStateAsync(CancellationToken cancellationToken = default)
    {
        await Context.ClearStateAsync(_etag, cancellationToken).ConfigureAwait(false);
        _etag = null;
        _state = CreateInitialState();
        _persisted = _state;
    }

    /// <summary>Re-reads the persisted state, discarding unwritten changes.</summary>
    protected async ValueTask ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var (state, etag) = await Context.ReadStateAsync<TState>(cancellationToken).ConfigureAwait(false);
        _etag = etag;
        _state = state ?? CreateInitialState();
        _persisted = _state;
    }

    private protected override async ValueTask ActivateCoreAsync(CancellationToken cancellationToken)
    {
        await ReadStateAsync(cancellationToken).ConfigureAwait(false);
        await OnActivateAsync(cancellationToken).ConfigureAwait(false);
    }

    private protected override async ValueTask DeactivateCoreAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await OnDeactivateAsync(reason, cancellationToken).ConfigureAwait(false);
        if (IsStateDirty)
        {
            await WriteStateAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
