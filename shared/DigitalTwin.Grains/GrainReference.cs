// Grain references: runtime-generated proxies for grain interfaces that route every call through an invoker.
using System.Reflection;

namespace DigitalTwin.Grains;

/// <summary>Creates grain references over an <see cref="IGrainCallInvoker"/>; the grain is activated on first call.</summary>
public sealed class GrainFactory(IGrainCallInvoker invoker) : IGrainFactory
{
    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var description = GrainInterfaceDescription.For(typeof(TGrain));
        var proxy = DispatchProxy.Create<TGrain, GrainReferenceProxy>();
        ((GrainReferenceProxy)(object)proxy!).Bind(invoker, new GrainId(description.TypeName, key), description);
        return proxy;
    }
}

/// <summary>The proxy behind every grain reference. Public only because DispatchProxy requires it.</summary>
public class GrainReferenceProxy : DispatchProxy
{
    private IGrainCallInvoker? _invoker;
    private GrainInterfaceDescription? _description;

    /// <summary>The grain this reference points at.</summary>
    public GrainId GrainId { get; private set; }

    internal void Bind(IGrainCallInvoker invoker, GrainId grainId, GrainInterfaceDescription description)
    {
        _invoker = invoker;
        GrainId = grainId;
        _description = description;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        return _description![targetMethod].Dispatch(_invoker!, GrainId, args ?? []);
    }
}
