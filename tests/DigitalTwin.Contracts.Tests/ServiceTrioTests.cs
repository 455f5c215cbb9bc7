// Every service in the protos has its Methods/Client/Base trio, and each member matches the descriptor:
// name, streaming kind, request and response types; clients pass the right Method; Bind covers every method.
using System.Reflection;
using DigitalTwin.Rpc;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DigitalTwin.Contracts.Tests;

public sealed class ServiceTrioTests
{
    private static readonly Assembly Contracts = typeof(Common.V1.SampleBatch).Assembly;

    public static TheoryData<string> Services() =>
        new(ProtoSet.OwnFiles(ProtoSet.Load()).SelectMany(f => f.Service.Select(s => $"{f.Package}.{s.Name}")));

    [Theory]
    [MemberData(nameof(Services))]
    public void MethodsMatchTheDescriptor(string service)
    {
        var (descriptor, methods, _, _) = Trio(service);

        Assert.Equal(service, methods.GetField("ServiceName")!.GetRawConstantValue());
        Assert.Equal(service, descriptor.FullName);
        var fields = methods.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => typeof(IMethod).IsAssignableFrom(f.FieldType)).ToList();
        Assert.Equal(descriptor.Methods.Select(m => m.Name).Order(), fields.Select(f => f.Name).Order());
        foreach (var described in descriptor.Methods)
        {
            var field = fields.Single(f => f.Name == described.Name);
            var method = (IMethod)field.GetValue(null)!;
            Assert.True(field.IsInitOnly, $"{service}.{described.Name} must be static readonly");
            Assert.Equal(described.Name, method.Name);
            Assert.Equal(service, method.ServiceName);
            Assert.Equal($"/{service}/{described.Name}", method.FullName);
            Assert.Equal(KindOf(described), method.Type);
            var arguments = field.FieldType.GetGenericArguments();
            Assert.Equal(described.InputType.FullName, MessageDescriptorOf(arguments[0]).FullName);
            Assert.Equal(described.OutputType.FullName, MessageDescriptorOf(arguments[1]).FullName);
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void ClientHasOneCallPerMethodWithTheRightShape(string service)
    {
        var (descriptor, _, client, _) = Trio(service);

        Assert.True(client.IsSealed && client.IsSubclassOf(typeof(ClientBase)), $"{client.Name} must be a sealed ClientBase");
        Assert.NotNull(client.GetConstructor([typeof(RpcChannel)]));
        Assert.NotNull(client.GetConstructor([typeof(CallInvoker)]));
        var calls = client.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        Assert.Equal(descriptor.Methods.Count, calls.Length);
        foreach (var described in descriptor.Methods)
        {
            var (request, response) = (ClrType(described.InputType), ClrType(described.OutputType));
            var (name, parameters, returns) = KindOf(described) switch
            {
                MethodType.Unary => (described.Name + "Async", new[] { request, typeof(CallOptions) }, typeof(AsyncUnaryCall<>).MakeGenericType(response)),
                MethodType.ServerStreaming => (described.Name, new[] { request, typeof(CallOptions) }, typeof(AsyncServerStreamingCall<>).MakeGenericType(response)),
                MethodType.ClientStreaming => (described.Name, new[] { typeof(CallOptions) }, typeof(AsyncClientStreamingCall<,>).MakeGenericType(request, response)),
                _ => (described.Name, new[] { typeof(CallOptions) }, typeof(AsyncDuplexStreamingCall<,>).MakeGenericType(request, response)),
            };
            var call = client.GetMethod(name, parameters);
            Assert.True(call is not null, $"{client.Name}.{name}({string.Join(", ", parameters.Select(p => p.Name))}) is missing");
            Assert.Equal(returns, call.ReturnType);
            Assert.True(call.GetParameters()[^1].HasDefaultValue, $"{client.Name}.{name}: options must default");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void ClientPassesItsMethodAndRequestToTheInvoker(string service)
    {
        var (descriptor, methods, client, _) = Trio(service);
        var invoker = new RecordingInvoker();
        var instance = Activator.CreateInstance(client, invoker)!;

        foreach (var described in descriptor.Methods)
        {
            var kind = KindOf(described);
            var request = kind is MethodType.Unary or MethodType.ServerStreaming ? Activator.CreateInstance(ClrType(described.InputType)) : null;
            var name = kind == MethodType.Unary ? described.Name + "Async" : described.Name;
            var call = client.GetMethods().Single(m => m.Name == name);
            var options = new CallOptions(Deadline: new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            object?[] arguments = request is null ? [options] : [request, options];

            using var result = (IDisposable)call.Invoke(instance, arguments)!;

            Assert.Same(methods.GetField(described.Name)!.GetValue(null), invoker.Method);
            Assert.Equal(kind, invoker.Kind);
            Assert.Equal(options, invoker.Options);
            Assert.Same(request, invoker.Request);
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void BaseBindsEveryMethodAndAnswersUnimplemented(string service)
    {
        var (descriptor, _, _, serviceBase) = Trio(service);
        Assert.True(serviceBase.IsAbstract);
        var implementation = EmptyImplementations.Single(t => t.BaseType == serviceBase);
        var instance = Activator.CreateInstance(implementation)!;

        var definition = (ServiceDefinition)serviceBase.GetMethod("Bind", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [instance])!;

        Assert.Equal(service, definition.ServiceName);
        Assert.Equal(descriptor.Methods.Select(m => m.Name), definition.Methods.Select(m => m.Name));
        foreach (var described in descriptor.Methods)
        {
            var handler = serviceBase.GetMethod(described.Name)!;
            Assert.True(handler.IsVirtual && !handler.IsFinal, $"{serviceBase.Name}.{described.Name} must be overridable");
            Assert.Equal(described.IsServerStreaming ? typeof(Task) : typeof(Task<>).MakeGenericType(ClrType(described.OutputType)), handler.ReturnType);
            var thrown = Assert.Throws<TargetInvocationException>(() => handler.Invoke(instance, new object?[handler.GetParameters().Length]));
            var rpc = Assert.IsType<RpcException>(thrown.InnerException);
            Assert.Equal(StatusCode.Unimplemented, rpc.StatusCode);
            Assert.Contains(described.Name, rpc.Status.Detail, StringComparison.Ordinal);
        }
    }

    private static readonly Type[] EmptyImplementations =
    [
        typeof(EmptyTelemetry), typeof(EmptyTwin), typeof(EmptyElectrochem), typeof(EmptyMechanics), typeof(EmptyViscoplastic), typeof(EmptyDem),
    ];

    private static (ServiceDescriptor Descriptor, Type Methods, Type Client, Type Base) Trio(string service)
    {
        var file = ProtoSet.OwnFiles(ProtoSet.Load()).Single(f => service.StartsWith(f.Package + ".", StringComparison.Ordinal) && f.Service.Any(s => $"{f.Package}.{s.Name}" == service));
        var name = service[(service.LastIndexOf('.') + 1)..];
        var ns = file.Options.CsharpNamespace;
        Type Find(string suffix) => Contracts.GetType($"{ns}.{name}{suffix}") ?? throw new Xunit.Sdk.XunitException($"{ns}.{name}{suffix} is missing");
        var methods = Find("Methods");
        var descriptor = (ServiceDescriptor)methods.GetProperty("Descriptor")!.GetValue(null)!;
        return (descriptor, methods, Find("Client"), Find("Base"));
    }

    private static MethodType KindOf(MethodDescriptor method) => (method.IsClientStreaming, method.IsServerStreaming) switch
    {
        (false, false) => MethodType.Unary,
        (true, false) => MethodType.ClientStreaming,
        (false, true) => MethodType.ServerStreaming,
        _ => MethodType.DuplexStreaming,
    };

    private static MessageDescriptor MessageDescriptorOf(Type type) => (MessageDescriptor)type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    private static Type ClrType(MessageDescriptor descriptor) => descriptor.ClrType;

    private sealed class EmptyTelemetry : Telemetry.V1.TelemetryServiceBase;

    private sealed class EmptyTwin : Twin.V1.TwinServiceBase;

    private sealed class EmptyElectrochem : Electrochem.V1.ElectrochemServiceBase;

    private sealed class EmptyMechanics : Mechanics.V1.MechanicsServiceBase;

    private sealed class EmptyViscoplastic : Viscoplastic.V1.ViscoplasticServiceBase;

    private sealed class EmptyDem : Dem.V1.DemServiceBase;

    /// <summary>Records the last call and returns inert call objects.</summary>
    private sealed class RecordingInvoker : CallInvoker
    {
        public IMethod? Method { get; private set; }

        public MethodType Kind { get; private set; }

        public CallOptions Options { get; private set; }

        public object? Request { get; private set; }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request)
        {
            Record(method, MethodType.Unary, options, request);
            return new(Task.FromResult(Activator.CreateInstance<TResponse>()), Task.FromResult(new Metadata()), Ok, () => [], () => { });
        }

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request)
        {
            Record(method, MethodType.ServerStreaming, options, request);
            return new(new EmptyReader<TResponse>(), Task.FromResult(new Metadata()), Ok, () => [], () => { });
        }

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        {
            Record(method, MethodType.ClientStreaming, options, null);
            return new(new NullWriter<TRequest>(), Task.FromResult(Activator.CreateInstance<TResponse>()), Task.FromResult(new Metadata()), Ok, () => [], () => { });
        }

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        {
            Record(method, MethodType.DuplexStreaming, options, null);
            return new(new NullWriter<TRequest>(), new EmptyReader<TResponse>(), Task.FromResult(new Metadata()), Ok, () => [], () => { });
        }

        private static Status Ok() => new(StatusCode.OK, "");

        private void Record(IMethod method, MethodType kind, CallOptions options, object? request) =>
            (Method, Kind, Options, Request) = (method, kind, options, request);
    }

    private sealed class EmptyReader<T> : IAsyncStreamReader<T>
        where T : class, IMessage<T>
    {
        public T Current => throw new InvalidOperationException("The stream is empty.");

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(false);
    }

    private sealed class NullWriter<T> : IClientStreamWriter<T>
    {
        public Task WriteAsync(T message, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task CompleteAsync() => Task.CompletedTask;
    }
}
