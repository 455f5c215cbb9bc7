// Base class of the typed clients generated per service in the contracts project.
namespace DigitalTwin.Rpc;

public abstract class ClientBase
{
    protected ClientBase(RpcChannel channel)
        : this((channel ?? throw new ArgumentNullException(nameof(channel))).CreateCallInvoker())
    {
    }

    protected ClientBase(CallInvoker callInvoker)
    {
        CallInvoker = callInvoker ?? throw new ArgumentNullException(nameof(callInvoker));
    }

    protected CallInvoker CallInvoker { get; }
}
