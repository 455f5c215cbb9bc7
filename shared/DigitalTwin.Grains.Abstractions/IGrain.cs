// Marker for grain interfaces: a grain is addressed by its interface and a string key.
namespace DigitalTwin.Grains;

/// <summary>
/// Marks an interface as a grain interface. Every method must return <see cref="ValueTask"/> or
/// <see cref="ValueTask{TResult}"/> and carry the <c>Async</c> suffix (the one naming rule, checked at registration).
/// </summary>
public interface IGrain;
