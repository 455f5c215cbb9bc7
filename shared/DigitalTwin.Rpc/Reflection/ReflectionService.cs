// Server reflection (grpc.reflection.v1 and v1alpha): lists mapped services and serves FileDescriptorProtos
// by file name, symbol or extension, with transitive dependencies, from the Google.Protobuf descriptors.
using DigitalTwin.Rpc.Reflection.V1;
using DigitalTwin.Rpc.Server;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Alpha = DigitalTwin.Rpc.Reflection.V1Alpha;

namespace DigitalTwin.Rpc.Reflection;

internal sealed class ReflectionService(RpcServiceRegistry registry)
{
    public const string V1ServiceName = "grpc.reflection.v1.ServerReflection";
    public const string V1AlphaServiceName = "grpc.reflection.v1alpha.ServerReflection";

    public static readonly Method<ServerReflectionRequest, ServerReflectionResponse> V1Method = new(
        MethodType.DuplexStreaming, V1ServiceName, "ServerReflectionInfo", ServerReflectionRequest.Parser, ServerReflectionResponse.Parser);

    public static readonly Method<Alpha.ServerReflectionRequest, Alpha.ServerReflectionResponse> V1AlphaMethod = new(
        MethodType.DuplexStreaming, V1AlphaServiceName, "ServerReflectionInfo", Alpha.ServerReflectionRequest.Parser, Alpha.ServerReflectionResponse.Parser);

    private readonly Lock _lock = new();
    private DescriptorIndex? _index;

    public ServiceDefinition CreateV1Definition() => ServiceDefinition
        .CreateBuilder(ReflectionReflection.Descriptor.Services[0])
        .AddMethod(V1Method, ServeV1Async)
        .Build();

    public ServiceDefinition CreateV1AlphaDefinition() => ServiceDefinition
        .CreateBuilder(Alpha.ReflectionReflection.Descriptor.Services[0])
        .AddMethod(V1AlphaMethod, ServeV1AlphaAsync)
        .Build();

    /// <summary>Answers one request (the two versions share this logic; their messages are wire-identical).</summary>
    public ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var index = GetIndex();
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                foreach (var name in index.ServiceNames)
                {
                    list.Service.Add(new ServiceResponse { Name = name });
                }

                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFiles(response, index.Files.GetValueOrDefault(request.FileByFilename), $"File '{request.FileByFilename}' not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFiles(response, index.Symbols.GetValueOrDefault(request.FileContainingSymbol), $"Symbol '{request.FileContainingSymbol}' not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                SetFiles(
                    response,
                    index.Extensions.GetValueOrDefault((extension.ContainingType, extension.ExtensionNumber)),
                    $"Extension {extension.ExtensionNumber} of '{extension.ContainingType}' not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (index.MessageTypes.Contains(request.AllExtensionNumbersOfType))
                {
                    var numbers = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                    foreach (var key in index.Extensions.Keys)
                    {
                        if (key.Type == request.AllExtensionNumbersOfType)
                        {
                            numbers.ExtensionNumber.Add(key.Number);
                        }
                    }

                    response.AllExtensionNumbersResponse = numbers;
                }
                else
                {
                    response.ErrorResponse = Error(StatusCode.NotFound, $"Type '{request.AllExtensionNumbersOfType}' not found.");
                }

                break;
            default:
                response.ErrorResponse = Error(StatusCode.InvalidArgument, "The request sets none of the known message_request fields.");
                break;
        }

        return response;
    }

    private async Task ServeV1Async(IAsyncStreamReader<ServerReflectionRequest> requests, IServerStreamWriter<ServerReflectionResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(Answer(requests.Current), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ServeV1AlphaAsync(IAsyncStreamReader<Alpha.ServerReflectionRequest> requests, IServerStreamWriter<Alpha.ServerReflectionResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            // v1alpha and v1 messages have the same fields and numbers, so bytes convert losslessly.
            var request = ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
            var answer = Alpha.ServerReflectionResponse.Parser.ParseFrom(Answer(request).ToByteString());
            await responses.WriteAsync(answer, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static void SetFiles(ServerReflectionResponse response, FileDescriptor? file, string notFound)
    {
        if (file is null)
        {
            response.ErrorResponse = Error(StatusCode.NotFound, notFound);
            return;
        }

        var files = new FileDescriptorResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>();
        pending.Push(file);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (!seen.Add(next.Name))
            {
                continue;
            }

            files.FileDescriptorProto.Add(next.SerializedData);
            for (var i = next.Dependencies.Count - 1; i >= 0; i--)
            {
                pending.Push(next.Dependencies[i]);
            }
        }

        response.FileDescriptorResponse = files;
    }

    private static ErrorResponse Error(StatusCode code, string message) => new() { ErrorCode = (int)code, ErrorMessage = message };

    private DescriptorIndex GetIndex()
    {
        lock (_lock)
        {
            if (_index is null || _index.Version != registry.Version)
            {
                _index = new DescriptorIndex(registry.Version, registry.Snapshot());
            }

            return _index;
        }
    }

    /// <summary>Every file, symbol and extension reachable from the mapped services' descriptors.</summary>
    private sealed class DescriptorIndex
    {
        public DescriptorIndex(int version, IReadOnlyList<ServiceDefinition> services)
        {
            Version = version;
            ServiceNames = services.Select(s => s.ServiceName).ToArray();
            foreach (var service in services)
            {
                AddFile(service.Descriptor.File);
            }
        }

        public int Version { get; }

        public IReadOnlyList<string> ServiceNames { get; }

        public Dictionary<string, FileDescriptor> Files { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FileDescriptor> Symbols { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Type, int Number), FileDescriptor> Extensions { get; } = [];

        public HashSet<string> MessageTypes { get; } = new(StringComparer.Ordinal);

        private void AddFile(FileDescriptor file)
        {
            if (!Files.TryAdd(file.Name, file))
            {
                return;
            }

            foreach (var dependency in file.Dependencies)
            {
                AddFile(dependency);
            }

            foreach (var message in file.MessageTypes)
            {
                AddMessage(file, message);
            }

            foreach (var enumType in file.EnumTypes)
            {
                Symbols.TryAdd(enumType.FullName, file);
            }

            foreach (var service in file.Services)
            {
                Symbols.TryAdd(service.FullName, file);
                foreach (var method in service.Methods)
                {
                    Symbols.TryAdd(method.FullName, file);
                }
            }

            foreach (var extension in file.Extensions.UnorderedExtensions)
            {
                AddExtension(file, extension);
            }
        }

        private void AddMessage(FileDescriptor file, MessageDescriptor message)
        {
            Symbols.TryAdd(message.FullName, file);
            MessageTypes.Add(message.FullName);
            foreach (var nested in message.NestedTypes)
            {
                AddMessage(file, nested);
            }

            foreach (var enumType in message.EnumTypes)
            {
                Symbols.TryAdd(enumType.FullName, file);
            }

            foreach (var extension in message.Extensions.UnorderedExtensions)
            {
                AddExtension(file, extension);
            }
        }

        private void AddExtension(FileDescriptor file, FieldDescriptor extension)
        {
            Symbols.TryAdd(extension.FullName, file);
            Extensions.TryAdd((extension.ExtendeeType.FullName, extension.FieldNumber), file);
        }
    }
}
