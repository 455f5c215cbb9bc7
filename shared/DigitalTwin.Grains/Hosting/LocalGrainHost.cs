// The embedded grain host (one process): directory, activation on first call, idle collection, deadlines, reminders.
using System.Collections.Concurrent;
using System.Text.Json;
using DigitalTwin.Grains.Reminders;
using DigitalTwin.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DigitalTwin.Grains.Hosting;

/// <summary>How to make instances of the grain class behind one grain interface.</summary>
internal sealed record GrainRegistration(GrainInterfaceDescription Interface, Type GrainClass, Func<Grain> Create);

/// <summary>
/// Hosts grains in this process. A call through a reference finds (or creates) the activation in the directory and
/// queues on its mailbox; activations idle past <see cref="GrainHostOptions.IdleTimeout"/> are deactivated with
/// their state written; calls past <see cref="GrainHostOptions.CallTimeout"/> fail for their callers.
/// </summary>
public sealed class LocalGrainHost : IGrainCallInvoker, IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly Dictionary<string, GrainRegistration> _registrations = new(StringComparer.Ordinal);
    private readonly Lock _lifecycleGate = new();
    /// <summary>The version tag grains hold under write-behind: the buffer tracks the store's versions itself.</summary>
    private const string WriteBehindETag = "*";

    private readonly long _callTimeoutMs;
    private readonly WriteBehindBuffer? _writeBehind;
    private ITimer? _flusher;
    private ITimer? _collector;
    private ITimer? _sweeper;
    private int _state; // 0 created, 1 started, 2 stopping, 3 stopped

    public LocalGrainHost(IGrainStore store, GrainHostOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Options = options ?? new GrainHostOptions();
        Options.Validate();
        TimeProvider = timeProvider ?? TimeProvider.System;
        Clock = new HostClock(TimeProvider);
        _callTimeoutMs = HostClock.Milliseconds(Options.CallTimeout);
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("DigitalTwin.Grains.Host");
        _writeBehind = Options.StateWrites == StateWriteMode.WriteBehind ? new WriteBehindBuffer(store, Options.StateSerializerOptions, Logger) : null;
        GrainFactory = new GrainFactory(this);
        Reminders = new ReminderService(store, TimeProvider, DeliverReminderAsync, Logger);
    }

    public IGrainFactory GrainFactory { get; }

    public GrainHostOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Number of live activations.</summary>
    public int ActivationCount => _activations.Count;

    internal IGrainStore Store { get; }

    internal HostClock Clock { get; }

    internal ILogger Logger { get; }

    internal ReminderService Reminders { get; }

    /// <summary>Registers the grain class that serves <typeparamref name="TInterface"/>; checks the interface's rules now.</summary>
    public LocalGrainHost AddGrain<TInterface, TGrain>(Func<TGrain> create)
        where TInterface : IGrain
        where TGrain : Grain, TInterface
    {
        ArgumentNullException.ThrowIfNull(create);
        var description = GrainInterfaceDescription.For(typeof(TInterface));
        lock (_lifecycleGate)
        {
            if (_state != 0)
            {
                throw new InvalidOperationException("Grains are registered before the host starts.");
            }

            if (!_registrations.TryAdd(description.TypeName, new GrainRegistration(description, typeof(TGrain), create)))
            {
                throw new InvalidOperationException($"Grain type {description.TypeName} is already registered ({_registrations[description.TypeName].GrainClass.Name}).");
            }
        }

        return this;
    }

    /// <summary>Starts idle collection, call deadlines and the durable reminders found in the store.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_lifecycleGate)
        {
            if (_state != 0)
            {
                throw new InvalidOperationException("The grain host was already started.");
            }

            _state = 1;
        }

        await Reminders.StartAsync(cancellationToken).ConfigureAwait(false);
        _collector = TimeProvider.CreateTimer(static s => ((LocalGrainHost)s!).CollectIdle(), this, Options.CollectionPeriod, Options.CollectionPeriod);
        var sweep = TimeSpan.FromTicks(Math.Clamp(Options.CallTimeout.Ticks / 8, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _sweeper = TimeProvider.CreateTimer(static s => ((LocalGrainHost)s!).ExpireCalls(), this, sweep, sweep);
        if (_writeBehind is not null)
        {
            _flusher = TimeProvider.CreateTimer(static s => ((LocalGrainHost)s!).FlushOnTimer(), this, Options.WriteBehindPeriod, Options.WriteBehindPeriod);
        }
    }

    /// <summary>Deactivates every grain (their state is written), then stops timers and reminders.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_lifecycleGate)
        {
            if (_state >= 2)
            {
                return;
            }

            _state = 2;
        }

        _collector?.Dispose();
        await Reminders.DisposeAsync().ConfigureAwait(false);
        var endings = new List<Task>();
        foreach (var activation in _activations.Values)
        {
            activation.TryEnqueue(new DeactivateWorkItem(DeactivationReason.HostShutdown));
            endings.Add(activation.WhenDeactivated);
        }

        try
        {
            await Task.WhenAll(endings).WaitAsync(Options.DeactivationTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var busy = _activations.Values.Where(a => !a.WhenDeactivated.IsCompleted).Select(a => a.Id.ToString()).ToList();
            Logger.LogError("Grain host stopped with {Count} grains still in a turn after {Timeout}; their state since the last write is lost: {Grains}", busy.Count, Options.DeactivationTimeout, string.Join(", ", busy.Take(20)));
        }

        _sweeper?.Dispose();
        if (_flusher is not null)
        {
            await _flusher.DisposeAsync().ConfigureAwait(false);
        }

        if (_writeBehind is not null)
        {
            // No turn runs any more: everything staged, sealed or not, is the grains' last state.
            await _writeBehind.FlushAsync(everything: true, cancellationToken).ConfigureAwait(false);
        }

        lock (_lifecycleGate)
        {
            _state = 3;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    public ValueTask<TResult> InvokeAsync<TResult>(GrainReference target, GrainMethod<TResult> method, object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(target);
        var item = CallWorkItem<TResult>.Rent(method, arguments, Clock.NowMs + _callTimeoutMs, Options.CallTimeout);
        var result = item.Result;
        Dispatch(target, item);
        return result;
    }

    public ValueTask InvokeVoidAsync(GrainReference target, GrainMethod<VoidResult> method, object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(target);
        var item = CallWorkItem<VoidResult>.Rent(method, arguments, Clock.NowMs + _callTimeoutMs, Options.CallTimeout);
        var result = item.VoidResult;
        Dispatch(target, item);
        return result;
    }

    /// <summary>Runs a reminder tick on a grain as one turn (what the reminder service calls).</summary>
    internal Task DeliverReminderAsync(GrainId grain, string name, ReminderTick tick)
    {
        var item = new ReminderWorkItem(name, tick, Clock.NowMs + _callTimeoutMs, Options.CallTimeout);
        Dispatch(grain, item);
        return item.Task;
    }

    internal async ValueTask<(TState? State, string? ETag)> ReadStateAsync<TState>(GrainId grain, CancellationToken cancellationToken)
        where TState : class
    {
        if (_writeBehind?.TryGetStaged(grain, out var staged) == true)
        {
            return ((TState)staged!, WriteBehindETag);
        }

        var stored = await Store.ReadAsync(grain, cancellationToken).ConfigureAwait(false);
        _writeBehind?.Observe(grain, stored?.ETag);
        if (stored is null)
        {
            return (null, null);
        }

        try
        {
            return (JsonSerializer.Deserialize<TState>(stored.Json, Options.StateSerializerOptions), _writeBehind is null ? stored.ETag : WriteBehindETag);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Persisted state of grain {grain} (version {stored.ETag}) is not a valid {typeof(TState).Name}: {e.Message}", e);
        }
    }

    internal ValueTask<string> WriteStateAsync<TState>(GrainId grain, TState state, string? etag, GrainId? root, CancellationToken cancellationToken)
        where TState : class
    {
        if (_writeBehind is { } buffer)
        {
            buffer.Stage(grain, state, typeof(TState), root);
            return new(WriteBehindETag);
        }

        return Store.WriteAsync(grain, JsonSerializer.Serialize(state, Options.StateSerializerOptions), etag, cancellationToken);
    }

    internal ValueTask ClearStateAsync(GrainId grain, string? etag, CancellationToken cancellationToken) =>
        _writeBehind is { } buffer ? buffer.ClearAsync(grain, cancellationToken) : Store.ClearAsync(grain, etag, cancellationToken);

    /// <summary>Writes what write-behind holds now (sealed groups only); returns the number of states written. A no-op when writing through.</summary>
    public Task<int> FlushStateAsync(CancellationToken cancellationToken = default) =>
        _writeBehind?.FlushAsync(everything: false, cancellationToken) ?? Task.FromResult(0);

    /// <summary>States staged by write-behind and not yet flushed [count].</summary>
    public int PendingStateWrites => _writeBehind?.Pending ?? 0;

    /// <summary>A successor for an ending activation, holding the calls it could not run; null when the host is stopping.</summary>
    internal GrainActivation? CreateSuccessor(GrainId grain, GrainRegistration registration, List<WorkItem> handOver)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            foreach (var item in handOver)
            {
                item.Fail(new InvalidOperationException($"Call to grain {grain} refused: the grain host is stopping."));
                item.Release();
            }

            return null;
        }

        return new GrainActivation(this, grain, registration, handOver);
    }

    /// <summary>Called by an activation once it is gone: its successor (if any) takes its place in the directory.</summary>
    internal void OnDeactivated(GrainActivation activation, GrainActivation? successor)
    {
        if (successor is null)
        {
            _writeBehind?.Deactivated(activation.Id);
        }

        if (successor is null)
        {
            _activations.TryRemove(KeyValuePair.Create(activation.Id, activation));
            return;
        }

        if (!_activations.TryUpdate(activation.Id, successor, activation))
        {
            _activations.TryAdd(activation.Id, successor);
        }

        successor.Kick();
    }

    private void Dispatch(GrainReference target, WorkItem item)
    {
        // The activation this reference reached last time, if it is still the live one.
        if (target.InvokerState is GrainActivation cached && Volatile.Read(ref _state) == 1 && cached.TryEnqueueWhileLive(item))
        {
            return;
        }

        target.InvokerState = Dispatch(target.GrainId, item);
    }

    /// <summary>Queues <paramref name="item"/> on the grain's activation (created if needed); returns it, or null when the call failed.</summary>
    private GrainActivation? Dispatch(GrainId grain, WorkItem item)
    {
        while (true)
        {
            if (Volatile.Read(ref _state) != 1)
            {
                item.Fail(new InvalidOperationException(_state == 0
                    ? $"Call to grain {grain} before the grain host started."
                    : $"Call to grain {grain} refused: the grain host is stopping."));
                item.Release();
                return null;
            }

            GrainActivation activation;
            try
            {
                activation = GetOrCreateActivation(grain);
            }
            catch (Exception e)
            {
                item.Fail(e);
                item.Release();
                return null;
            }

            if (activation.TryEnqueue(item))
            {
                return activation;
            }

            _activations.TryRemove(KeyValuePair.Create(grain, activation));
        }
    }

    private GrainActivation GetOrCreateActivation(GrainId grain)
    {
        if (_activations.TryGetValue(grain, out var existing))
        {
            return existing;
        }

        if (!_registrations.TryGetValue(grain.Type, out var registration))
        {
            throw new InvalidOperationException($"No grain class is registered for grain type {grain.Type} (grain {grain}).");
        }

        return _activations.GetOrAdd(grain, static (id, s) => new GrainActivation(s.Host, id, s.Registration), (Host: this, Registration: registration));
    }

    private void FlushOnTimer()
    {
        _ = FlushAsync();

        async Task FlushAsync()
        {
            try
            {
                await _writeBehind!.FlushAsync(everything: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Logger.LogError(e, "Write-behind flush failed; the staged states stay for the next flush");
            }
        }
    }

    private void CollectIdle()
    {
        var now = Clock.NowMs;
        foreach (var activation in _activations.Values)
        {
            if (activation.IsIdle(now, Options.IdleTimeout))
            {
                activation.TryEnqueue(new DeactivateWorkItem(DeactivationReason.IdleTimeout));
            }
        }
    }

    private void ExpireCalls()
    {
        var now = Clock.NowMs;
        foreach (var activation in _activations.Values)
        {
            activation.ExpireCalls(now);
        }
    }
}
