// Server reflection, v1 and v1alpha: listing services, files by name and by symbol with transitive
// dependencies, and error answers for unknown names; descriptors come from the registered services.
using DigitalTwin.Rpc.Tests.Support;
using Google.Protobuf.Reflection;
using V1 = DigitalTwin.Rpc.Reflection.V1;
using V1Alpha = DigitalTwin.Rpc.Reflection.V1Alpha;

namespace DigitalTwin.Rpc.Tests;

public sealed class ReflectionTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private static readonly Method<V1.ServerReflectionRequest, V1.ServerReflectionResponse> V1Info = new(
        MethodType.DuplexStreaming, "grpc.reflection.v1.ServerReflection", "ServerReflectionInfo", V1.ServerReflectionRequest.Parser, V1.ServerReflectionResponse.Parser);

    private static readonly Method<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse> V1AlphaInfo = new(
        MethodType.DuplexStreaming, "grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo", V1Alpha.ServerReflectionRequest.Parser, V1Alpha.ServerReflectionResponse.Parser);

    private static readonly string[] ExpectedServices =
    [
        "digitaltwin.testing.v1.InteropService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    ];

    [Fact]
    public async Task V1_lists_every_mapped_service()
    {
        var answer = await AskV1(new V1.ServerReflectionRequest { ListServices = string.Empty });
        Assert.Equal(ExpectedServices, answer.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task V1alpha_lists_every_mapped_service()
    {
        using var call = fixture.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(V1AlphaInfo, default);
        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "*" }).OrFail("write list_services");
        await call.RequestStream.CompleteAsync().OrFail("complete");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("v1alpha answer"));
        Assert.Equal(ExpectedServices, call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal("*", call.ResponseStream.Current.OriginalRequest.ListServices);
    }

    [Theory]
    [InlineData("digitaltwin.testing.v1.InteropService")]
    [InlineData("digitaltwin.testing.v1.InteropService.Bidi")]
    public async Task Symbol_of_the_service_returns_its_file_and_every_dependency(string symbol)
    {
        var answer = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = symbol });
        var files = Files(answer);
        Assert.Equal("digitaltwin/testing/v1/interop_service.proto", files[0].Name);
        Assert.Equal(
            ["digitaltwin/testing/v1/interop_messages.proto", "digitaltwin/testing/v1/interop_service.proto", "google/protobuf/duration.proto"],
            files.Select(f => f.Name).Order(StringComparer.Ordinal));
        var service = Assert.Single(files[0].Service);
        Assert.Equal(["Unary", "ServerStream", "ClientStream", "Bidi"], service.Method.Select(m => m.Name));
        Assert.True(service.Method[3].ClientStreaming && service.Method[3].ServerStreaming);
    }

    [Theory]
    [InlineData("digitaltwin.testing.v1.EchoRequest", "digitaltwin/testing/v1/interop_messages.proto")]
    [InlineData("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto")]
    [InlineData("google.protobuf.Duration", "google/protobuf/duration.proto")]
    public async Task Symbols_of_messages_and_nested_enums_are_found(string symbol, string file)
    {
        var answer = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = symbol });
        Assert.Equal(file, Files(answer)[0].Name);
    }

    [Fact]
    public async Task File_by_name_returns_the_file_and_its_dependencies()
    {
        var answer = await AskV1(new V1.ServerReflectionRequest { FileByFilename = "digitaltwin/testing/v1/interop_messages.proto" });
        Assert.Equal(["digitaltwin/testing/v1/interop_messages.proto", "google/protobuf/duration.proto"], Files(answer).Select(f => f.Name));
    }

    [Theory]
    [InlineData("no.such.Symbol")]
    [InlineData("")]
    public async Task Unknown_symbol_gets_an_error_response(string symbol)
    {
        var answer = await AskV1(new V1.ServerReflectionRequest { FileContainingSymbol = symbol });
        Assert.Equal((int)StatusCode.NotFound, answer.ErrorResponse.ErrorCode);
    }

    [Fact]
    public async Task Extension_numbers_of_a_known_type_are_listed()
    {
        var answer = await AskV1(new V1.ServerReflectionRequest { AllExtensionNumbersOfType = "digitaltwin.testing.v1.EchoRequest" });
        Assert.Equal("digitaltwin.testing.v1.EchoRequest", answer.AllExtensionNumbersResponse.BaseTypeName);
        Assert.Empty(answer.AllExtensionNumbersResponse.ExtensionNumber);
    }

    [Fact]
    public async Task Many_requests_share_one_stream()
    {
        using var call = fixture.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(V1Info, default);
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "digitaltwin.testing.v1.EchoResponse" }).OrFail($"request {i}");
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail($"answer {i}"));
            Assert.Equal("digitaltwin/testing/v1/interop_messages.proto", Files(call.ResponseStream.Current)[0].Name);
        }

        await call.RequestStream.CompleteAsync().OrFail("complete");
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("end of stream"));
    }

    private static FileDescriptorProto[] Files(V1.ServerReflectionResponse answer) =>
        answer.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b)).ToArray();

    private async Task<V1.ServerReflectionResponse> AskV1(V1.ServerReflectionRequest request)
    {
        using var call = fixture.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(V1Info, default);
        await call.RequestStream.WriteAsync(request).OrFail("write reflection request");
        await call.RequestStream.CompleteAsync().OrFail("complete reflection request stream");
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("reflection answer"));
        var answer = call.ResponseStream.Current;
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("end of reflection stream"));
        Assert.Equal(request, answer.OriginalRequest);
        return answer;
    }
}
