// The outbound half of the hosting seam: how a grain reference delivers a call to wherever the grain lives.
namespace DigitalTwin.Grains;

/// <summary>
/// Delivers calls made through grain references. The local host queues them on the activation's mailbox; a Dapr
/// actor host would send them to the sidecar (<c>POST /v1.0/actors/{type}/{id}/method/{name}</c>).
/// </summary>
public interface IGrainCallInvoker
{
    /// <summary>Runs <paramref name="method"/> on the grain <paramref name="target"/> points at as one turn; faults with the grain's exception or a timeout.</summary>
    ValueTask<TResult> InvokeAsync<TResult>(GrainReference target, GrainMethod<TResult> method, object?[] arguments);

    /// <summary>The same for a method without a result (hosts can complete it without a second allocation).</summary>
    ValueTask InvokeVoidAsync(GrainReference target, GrainMethod<VoidResult> method, object?[] arguments);
}
