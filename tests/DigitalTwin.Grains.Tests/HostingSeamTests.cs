// The hosting seam: the same grain classes run under a second, message-serializing host shaped like a Dapr actor host.
using System.Collections.Concurrent;
using System.Text.Json;
using DigitalTwin.Grains.Hosting;
using DigitalTwin.Grains.Testing;

namespace DigitalTwin.Grains.Tests;

/// <summary>
/// A minimal host that does what a Dapr actor host does with the seam: every call is serialized to JSON by method
/// name, deserialized by the method table, run one at a time per actor, and state goes through a key-value store.
/// </summary>
internal sealed class SerializingHost : IGrainCallInvoker
{
    private readonly ConcurrentDictionary<GrainId, (Grain Grain, SemaphoreSlim Turn)> _actors = new();
    private readonly Dictionary<string, (Type Interface, Func<Grain> Create)> _types = [];

    public SerializingHost() => Factory = new GrainFactory(this);

    public GrainFactory Factory { get; }

    public ConcurrentDictionary<GrainId, string> StateStore { get; } = new();

    public int Messages;

    public SerializingHost Add<TInterface>(Func<Grain> create)
        where TInterface : IGrain
    {
        _types[GrainId.TypeNameOf(typeof(TInterface))] = (typeof(TInterface), create);
        return this;
    }

    public async ValueTask InvokeVoidAsync(GrainReference reference, GrainMethod<VoidResult> method, object?[] arguments) =>
        await InvokeAsync(reference, method, arguments);

    public async ValueTask<TResult> InvokeAsync<TResult>(GrainReference reference, GrainMethod<TResult> method, object?[] arguments)
    {
        var grain = reference.GrainId;
        // The wire: method name plus JSON arguments, as in PUT /actors/{type}/{id}/method/{name}.
        var body = JsonSerializer.Serialize(arguments);
        var (type, create) = _types[grain.Type];
        var actor = _actors.GetOrAdd(grain, id => (create(), new SemaphoreSlim(1, 1)));
        await actor.Turn.WaitAsync();
        try
        {
            if (!StateStore.ContainsKey(new GrainId("activated", grain.ToString())))
            {
                StateStore[new GrainId("activated", grain.ToString())] = "1";
                ((IGrainLifecycle)actor.Grain).Attach(new Context(this, grain));
                await ((IGrainLifecycle)actor.Grain).ActivateAsync(default);
            }

            Assert.True(GrainInterfaceDescription.For(type).TryGetMethod(method.Name, out var target));
            using var json = JsonDocument.Parse(body);
            var args = json.RootElement.EnumerateArray().Select((e, i) => e.Deserialize(target.ParameterTypes[i])).ToArray();
            Interlocked.Increment(ref Messages);
            var result = await target.InvokeBoxedAsync(actor.Grain, args);
            return target.ResultType is null ? default! : JsonSerializer.Deserialize<TResult>(JsonSerializer.Serialize(result, target.ResultType))!;
        }
        finally
        {
            actor.Turn.Release();
        }
    }

    private sealed class Context(SerializingHost host, GrainId id) : IGrainContext
    {
        public GrainId Id => id;

        public IGrainFactory GrainFactory => host.Factory;

        public TimeProvider TimeProvider => TimeProvider.System;

        public ValueTask<(TState? State, string? ETag)> ReadStateAsync<TState>(CancellationToken cancellationToken)
            where TState : class =>
            new(host.StateStore.TryGetValue(id, out var json) ? (JsonSerializer.Deserialize<TState>(json, GrainHostOptions.DefaultSerializerOptions), "dapr") : (null, null));

        public ValueTask<string> WriteStateAsync<TState>(TState state, string? etag, CancellationToken cancellationToken)
            where TState : class
        {
            host.StateStore[id] = JsonSerializer.Serialize(state, GrainHostOptions.DefaultSerializerOptions);
            return new("dapr");
        }

        public ValueTask ClearStateAsync(string? etag, CancellationToken cancellationToken)
        {
            host.StateStore.TryRemove(id, out _);
            return default;
        }

        public IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period) =>
            throw new NotSupportedException("timers are not part of this seam test");

        public ValueTask RegisterOrUpdateReminderAsync(string reminderName, TimeSpan dueTime, TimeSpan period) => default;

        public ValueTask UnregisterReminderAsync(string reminderName) => default;

        public void DeactivateOnIdle()
        {
        }
    }
}

public sealed class HostingSeamTests
{
    [Fact]
    public async Task Unchanged_grain_classes_run_under_a_serializing_host()
    {
        var probe = new Probe();
        var host = new SerializingHost()
            .Add<IPingGrain>(() => new PingGrain())
            .Add<IRegisterGrain>(() => new RegisterGrain(probe));

        Assert.Equal("a->b", await host.Factory.GetGrain<IPingGrain>("a").AskAsync("b").Within("a grain-to-grain call through the serializing host"));
        var register = host.Factory.GetGrain<IRegisterGrain>("r");
        await register.SetAsync("through JSON").Within("a stateful call");
        var state = await register.GetAsync().Within("the state read back");

        Assert.Equal("through JSON", state.Value);
        Assert.Contains("\"Value\":\"through JSON\"", host.StateStore[new GrainId("RegisterGrain", "r")]);
        Assert.Equal(4, host.Messages);
    }
}
