// The outbound half of the hosting seam: how a grain reference delivers a call to wherever the grain lives.
namespace DigitalTwin.Grains;

/// <summary>
/// Delivers calls made through grain references. The local host queues them on the activation's mailbox; a Dapr
/// actor host would send them to the sidecar (<c>POST /v1.0/actors/{type}/{id}/method/{name}</c>).
/// </summary>
public interface IGrainCallInvoker
{
    /// <summary>Runs <paramref name="method"/> on <paramref name="grain"/> as one turn; faults with the grain's exception or a timeout.</summary>
    Task<TResult> InvokeAsync<TResult>(GrainId grain, GrainMethod<TResult> method, object?[] arguments);
}
