// ServiceDefinition.Build checks each method against the protobuf descriptor and reports every mismatch
// at once; mapping a service twice or without AddRpcServer fails with a clear message.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Microsoft.AspNetCore.Builder;

namespace DigitalTwin.Rpc.Tests;

public sealed class ServiceDefinitionTests
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Descriptor = InteropServiceReflection.Descriptor.Services[0];

    [Fact]
    public void Matching_methods_build()
    {
        var definition = new InteropServiceImpl().Bind();
        Assert.Equal("digitaltwin.testing.v1.InteropService", definition.ServiceName);
        Assert.Equal(["/digitaltwin.testing.v1.InteropService/Unary", "/digitaltwin.testing.v1.InteropService/ServerStream",
            "/digitaltwin.testing.v1.InteropService/ClientStream", "/digitaltwin.testing.v1.InteropService/Bidi"], definition.Methods.Select(m => m.FullName));
    }

    [Fact]
    public void Every_mismatch_is_reported_at_once()
    {
        var wrongKind = new Method<EchoRequest, EchoResponse>(MethodType.Unary, InteropServiceMethods.ServiceName, "ServerStream", EchoRequest.Parser, EchoResponse.Parser);
        var wrongTypes = new Method<EchoResponse, EchoRequest>(MethodType.Unary, InteropServiceMethods.ServiceName, "Unary", EchoResponse.Parser, EchoRequest.Parser);
        var missing = new Method<EchoRequest, EchoResponse>(MethodType.Unary, InteropServiceMethods.ServiceName, "Missing", EchoRequest.Parser, EchoResponse.Parser);
        var otherService = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "other.Service", "Unary", EchoRequest.Parser, EchoResponse.Parser);
        var builder = ServiceDefinition.CreateBuilder(Descriptor)
            .AddMethod(wrongKind, (EchoRequest r, ServerCallContext c) => Task.FromResult(new EchoResponse()))
            .AddMethod(wrongTypes, (EchoResponse r, ServerCallContext c) => Task.FromResult(new EchoRequest()))
            .AddMethod(missing, (EchoRequest r, ServerCallContext c) => Task.FromResult(new EchoResponse()))
            .AddMethod(otherService, (EchoRequest r, ServerCallContext c) => Task.FromResult(new EchoResponse()))
            .AddMethod(InteropServiceMethods.ClientStream, (IAsyncStreamReader<EchoRequest> r, IServerStreamWriter<EchoResponse> w, ServerCallContext c) => Task.CompletedTask);
        var error = Assert.Throws<InvalidOperationException>(builder.Build);
        Assert.Contains("/digitaltwin.testing.v1.InteropService/ServerStream: declared Unary but the descriptor says ServerStreaming", error.Message, StringComparison.Ordinal);
        Assert.Contains("request type is digitaltwin.testing.v1.EchoResponse but the descriptor says digitaltwin.testing.v1.EchoRequest", error.Message, StringComparison.Ordinal);
        Assert.Contains("response type is digitaltwin.testing.v1.EchoRequest but the descriptor says digitaltwin.testing.v1.EchoResponse", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no method 'Missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("service name 'other.Service' does not match", error.Message, StringComparison.Ordinal);
        Assert.Contains("the method is ClientStreaming but the handler is a DuplexStreaming handler", error.Message, StringComparison.Ordinal);
        Assert.Contains("6 method binding error(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_method_twice_is_an_error()
    {
        var builder = ServiceDefinition.CreateBuilder(Descriptor)
            .AddMethod(InteropServiceMethods.Unary, (EchoRequest r, ServerCallContext c) => Task.FromResult(new EchoResponse()))
            .AddMethod(InteropServiceMethods.Unary, (EchoRequest r, ServerCallContext c) => Task.FromResult(new EchoResponse()));
        Assert.Contains("added twice", Assert.Throws<InvalidOperationException>(builder.Build).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_needs_AddRpcServer_and_refuses_duplicates()
    {
        var bare = WebApplication.CreateSlimBuilder().Build();
        Assert.Contains("AddRpcServer", Assert.Throws<InvalidOperationException>(() => bare.MapRpcService(new InteropServiceImpl().Bind())).Message, StringComparison.Ordinal);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRpcServer();
        var app = builder.Build();
        app.MapRpcService(new InteropServiceImpl().Bind());
        Assert.Contains("already mapped", Assert.Throws<InvalidOperationException>(() => app.MapRpcService(new InteropServiceImpl().Bind())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Method_names_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new Method<EchoRequest, EchoResponse>(MethodType.Unary, "", "X", EchoRequest.Parser, EchoResponse.Parser));
        Assert.Throws<ArgumentException>(() => new Method<EchoRequest, EchoResponse>(MethodType.Unary, "a.B", "x/y", EchoRequest.Parser, EchoResponse.Parser));
        Assert.Equal("/a.B/C", new Method<EchoRequest, EchoResponse>(MethodType.Unary, "a.B", "C", EchoRequest.Parser, EchoResponse.Parser).FullName);
    }
}
