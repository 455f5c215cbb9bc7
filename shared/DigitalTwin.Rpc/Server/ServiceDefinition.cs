// A service ready to map: its protobuf descriptor (also used by reflection) and one handler per method,
// each checked against the descriptor when built.
using DigitalTwin.Rpc.Server;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DigitalTwin.Rpc;

public sealed class ServiceDefinition
{
    private ServiceDefinition(ServiceDescriptor descriptor, IReadOnlyList<MethodBinding> bindings)
    {
        Descriptor = descriptor;
        Bindings = bindings;
        Methods = bindings.Select(b => b.Method).ToArray();
    }

    /// <summary>The protobuf service this definition implements.</summary>
    public ServiceDescriptor Descriptor { get; }

    /// <summary>Fully-qualified service name, e.g. "digitaltwin.electrochem.v1.ElectrochemService".</summary>
    public string ServiceName => Descriptor.FullName;

    /// <summary>The bound methods; methods of the descriptor not listed here answer UNIMPLEMENTED.</summary>
    public IReadOnlyList<IMethod> Methods { get; }

    internal IReadOnlyList<MethodBinding> Bindings { get; }

    public static Builder CreateBuilder(ServiceDescriptor descriptor) => new(descriptor ?? throw new ArgumentNullException(nameof(descriptor)));

    public sealed class Builder
    {
        private readonly ServiceDescriptor _descriptor;
        private readonly List<MethodBinding> _bindings = [];
        private readonly List<string> _errors = [];

        internal Builder(ServiceDescriptor descriptor)
        {
            _descriptor = descriptor;
        }

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            if (Check(method, handler, MethodType.Unary))
            {
                _bindings.Add(new UnaryBinding<TRequest, TResponse>(method, handler));
            }

            return this;
        }

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            if (Check(method, handler, MethodType.ServerStreaming))
            {
                _bindings.Add(new ServerStreamingBinding<TRequest, TResponse>(method, handler));
            }

            return this;
        }

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            if (Check(method, handler, MethodType.ClientStreaming))
            {
                _bindings.Add(new ClientStreamingBinding<TRequest, TResponse>(method, handler));
            }

            return this;
        }

        public Builder AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            if (Check(method, handler, MethodType.DuplexStreaming))
            {
                _bindings.Add(new DuplexStreamingBinding<TRequest, TResponse>(method, handler));
            }

            return this;
        }

        /// <summary>The definition; throws listing every method that does not match the descriptor.</summary>
        public ServiceDefinition Build()
        {
            if (_errors.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Service {_descriptor.FullName} has {_errors.Count} method binding error(s):{Environment.NewLine}  - "
                    + string.Join(Environment.NewLine + "  - ", _errors));
            }

            return new ServiceDefinition(_descriptor, _bindings.ToArray());
        }

        private bool Check<TRequest, TResponse>(Method<TRequest, TResponse>? method, Delegate? handler, MethodType handlerKind)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            if (method is null)
            {
                _errors.Add("AddMethod was given a null method.");
                return false;
            }

            var errorCount = _errors.Count;
            var name = method.FullName;
            if (handler is null)
            {
                _errors.Add($"{name}: the handler is null.");
            }

            if (method.Type != handlerKind)
            {
                _errors.Add($"{name}: the method is {method.Type} but the handler is a {handlerKind} handler.");
            }

            if (!string.Equals(method.ServiceName, _descriptor.FullName, StringComparison.Ordinal))
            {
                _errors.Add($"{name}: service name '{method.ServiceName}' does not match the descriptor's '{_descriptor.FullName}'.");
            }

            if (_bindings.Any(b => b.Method.Name == method.Name))
            {
                _errors.Add($"{name}: the method is added twice.");
            }

            var described = _descriptor.FindMethodByName(method.Name);
            if (described is null)
            {
                _errors.Add($"{name}: the descriptor of {_descriptor.FullName} has no method '{method.Name}' (it has: {string.Join(", ", _descriptor.Methods.Select(m => m.Name))}).");
                return false;
            }

            var describedType = (described.IsClientStreaming, described.IsServerStreaming) switch
            {
                (false, false) => MethodType.Unary,
                (true, false) => MethodType.ClientStreaming,
                (false, true) => MethodType.ServerStreaming,
                _ => MethodType.DuplexStreaming,
            };
            if (describedType != method.Type)
            {
                _errors.Add($"{name}: declared {method.Type} but the descriptor says {describedType}.");
            }

            CheckMessage(name, "request", described.InputType, method.RequestParser);
            CheckMessage(name, "response", described.OutputType, method.ResponseParser);
            return _errors.Count == errorCount;
        }

        private void CheckMessage<T>(string name, string role, MessageDescriptor expected, MessageParser<T> parser)
            where T : IMessage<T>
        {
            var actual = parser.ParseFrom(ReadOnlySpan<byte>.Empty).Descriptor.FullName;
            if (!string.Equals(actual, expected.FullName, StringComparison.Ordinal))
            {
                _errors.Add($"{name}: {role} type is {actual} but the descriptor says {expected.FullName}.");
            }
        }
    }
}

/// <summary>One method with its handler; creates the endpoint handler once the server settings are known.</summary>
internal abstract class MethodBinding
{
    public abstract IMethod Method { get; }

    public abstract ServerCallHandler CreateHandler(ServerRuntime runtime);
}

internal sealed class UnaryBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler) : MethodBinding
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override IMethod Method => method;

    public override ServerCallHandler CreateHandler(ServerRuntime runtime) => new UnaryCallHandler<TRequest, TResponse>(method, handler, runtime);
}

internal sealed class ServerStreamingBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler) : MethodBinding
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override IMethod Method => method;

    public override ServerCallHandler CreateHandler(ServerRuntime runtime) => new ServerStreamingCallHandler<TRequest, TResponse>(method, handler, runtime);
}

internal sealed class ClientStreamingBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler) : MethodBinding
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override IMethod Method => method;

    public override ServerCallHandler CreateHandler(ServerRuntime runtime) => new ClientStreamingCallHandler<TRequest, TResponse>(method, handler, runtime);
}

internal sealed class DuplexStreamingBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler) : MethodBinding
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override IMethod Method => method;

    public override ServerCallHandler CreateHandler(ServerRuntime runtime) => new DuplexStreamingCallHandler<TRequest, TResponse>(method, handler, runtime);
}
