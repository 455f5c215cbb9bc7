// The shape every solver service takes: method declarations, a typed client and a service base —
// here written by hand for one tiny RPC, as the contracts project generates them per service.
using DigitalTwin.Example.V1;
using DigitalTwin.Rpc;

namespace DigitalTwin.ServiceDefaults.Tests;

public static class ExampleServiceMethods
{
    public static readonly Method<ChargeRequest, ChargeReply> Charge = new(
        MethodType.Unary, "digitaltwin.example.v1.ExampleService", "Charge", ChargeRequest.Parser, ChargeReply.Parser);
}

public sealed class ExampleServiceClient(RpcChannel channel) : ClientBase(channel)
{
    public AsyncUnaryCall<ChargeReply> ChargeAsync(ChargeRequest request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(ExampleServiceMethods.Charge, options, request);
}

/// <summary>Integrates a constant current: Q = I·t (the trivial case of coulomb counting).</summary>
public sealed class ExampleService
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a call asking to be held has reached the handler.</summary>
    public Task Held => _held.Task;

    /// <summary>Lets held calls answer.</summary>
    public void Release() => _release.TrySetResult();

    public static ServiceDefinition Bind(ExampleService service) => ServiceDefinition
        .CreateBuilder(ExampleServiceReflection.Descriptor.Services[0])
        .AddMethod(ExampleServiceMethods.Charge, service.ChargeAsync)
        .Build();

    private async Task<ChargeReply> ChargeAsync(ChargeRequest request, ServerCallContext context)
    {
        if (request.Hold)
        {
            _held.TrySetResult();
            await _release.Task;
        }

        return new ChargeReply { Charge = request.Current * request.Duration };
    }
}
