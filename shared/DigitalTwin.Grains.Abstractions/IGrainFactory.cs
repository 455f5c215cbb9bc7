// How callers (clients and other grains) obtain references to grains.
namespace DigitalTwin.Grains;

/// <summary>Hands out grain references; the grain is activated on the first call, not here.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain of interface <typeparamref name="TGrain"/> with the given key.</summary>
    TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrain;
}
