// Hostile or broken requests: unknown services and methods, wrong content types, methods and protocols,
// malformed frames, truncated streams and undecodable messages. Each gets the right status and a log
// line, while a call on the same HTTP/2 connection carries on undisturbed.
using System.Net;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Tests;

public sealed class HostileInputTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private const string Service = "/digitaltwin.testing.v1.InteropService/";

    public static TheoryData<string, byte[], StatusCode, string> MalformedBodies => new()
    {
        { "Unary", [0, 0, 0, 0, 10, 1, 2], StatusCode.Internal, "Incomplete message" }, // declares 10 bytes, sends 2
        { "Unary", [0, 0, 0], StatusCode.Internal, "Incomplete message" }, // truncated inside the 5-byte prefix
        { "Unary", [], StatusCode.Internal, "without a message" },
        { "Unary", [.. RawGrpc.Frame(new EchoRequest()), .. RawGrpc.Frame(new EchoRequest())], StatusCode.Internal, "Additional data" },
        { "Unary", RawGrpc.Frame([0xFF, 0xFF, 0xFF]), StatusCode.Internal, "Failed to deserialize" },
        { "Unary", RawGrpc.Frame(new EchoRequest(), flag: 7), StatusCode.Internal, "Compressed-Flag 7" },
        { "ServerStream", RawGrpc.Frame([0x0A, 0x05, 1]), StatusCode.Internal, "Failed to deserialize" }, // field 1 says 5 bytes, has 1
        { "ClientStream", [.. RawGrpc.Frame(new EchoRequest()), 0, 0, 0, 1], StatusCode.Internal, "Incomplete message" },
        { "Bidi", [.. RawGrpc.Frame(new EchoRequest()), 2, 0, 0, 0, 0], StatusCode.Internal, "Compressed-Flag 2" },
    };

    [Fact]
    public async Task Unknown_service_and_method_are_unimplemented()
    {
        var unknownService = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "digitaltwin.testing.v1.NoSuchService", "Unary", EchoRequest.Parser, EchoResponse.Parser);
        var unknownMethod = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "digitaltwin.testing.v1.InteropService", "NoSuchMethod", EchoRequest.Parser, EchoResponse.Parser);
        var wrongCase = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "digitaltwin.testing.v1.InteropService", "unary", EchoRequest.Parser, EchoResponse.Parser);
        var invoker = fixture.Channel.CreateCallInvoker();
        foreach (var method in new[] { unknownService, unknownMethod, wrongCase })
        {
            var error = await invoker.AsyncUnaryCall(method, default, new EchoRequest()).ResponseAsync.RpcFailure(method.FullName);
            Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
            Assert.Contains(fixture.Host.Logs.Entries, e => e.Message.Contains($"Unimplemented gRPC method {method.FullName}", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Path_that_is_not_service_slash_method_maps_to_unimplemented_on_the_client()
    {
        // Three path segments match no route: the 404 maps to UNIMPLEMENTED (http-grpc-status-mapping.md).
        using var rewriter = new RequestRewriter(new SocketsHttpHandler { UseProxy = false }, r => r.RequestUri = new Uri(r.RequestUri!, "/a/b/c"));
        using var channel = RpcChannel.ForAddress(fixture.Host.Address, new RpcChannelOptions { HttpHandler = rewriter });
        var error = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest()).ResponseAsync.RpcFailure("three-segment path");
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("404", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/grpc+json")]
    [InlineData("application/grpcx")]
    [InlineData(null)]
    public async Task Wrong_content_type_is_415_and_logged(string? contentType)
    {
        await using var shared = await SharedConnection.OpenAsync(fixture.Host);
        var response = await RawGrpc.SendAsync(shared.Raw, fixture.Host.Address, Service + "Unary", RawGrpc.Frame(new EchoRequest()), contentType)
            .OrFail($"response to content-type {contentType}");
        Assert.Equal(415, response.HttpStatus);
        Assert.NotEmpty(fixture.Host.Logs.Warnings("unsupported content-type", $"'{contentType ?? "(none)"}'"));
        await shared.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("application/grpc")]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc; charset=utf-8")]
    [InlineData("APPLICATION/GRPC+PROTO")]
    public async Task Grpc_content_type_variants_are_accepted(string contentType)
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, Service + "Unary", RawGrpc.Frame(new EchoRequest()), contentType)
            .OrFail($"response to content-type {contentType}");
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
    }

    [Fact]
    public async Task Client_maps_a_non_grpc_http_answer_to_a_status()
    {
        // A proxy that rewrites the content type makes the server answer 415; the client must report
        // UNKNOWN (http-grpc-status-mapping.md: other HTTP codes), not crash or hang.
        using var rewriter = new RequestRewriter(new SocketsHttpHandler { UseProxy = false }, r =>
        {
            r.Content!.Headers.Remove("content-type");
            r.Content.Headers.TryAddWithoutValidation("content-type", "text/plain");
        });
        using var channel = RpcChannel.ForAddress(fixture.Host.Address, new RpcChannelOptions { HttpHandler = rewriter });
        var error = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest()).ResponseAsync.RpcFailure("call answered with HTTP 415");
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("415", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_request_is_rejected_with_405()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, Service + "Unary", [], method: HttpMethod.Get).OrFail("GET response");
        Assert.Equal(405, response.HttpStatus);
    }

    [Fact]
    public async Task Http1_request_is_rejected_with_426_and_logged()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Http1Address!, Service + "Unary", RawGrpc.Frame(new EchoRequest()), version: HttpVersion.Version11)
            .OrFail("HTTP/1.1 response");
        Assert.Equal(426, response.HttpStatus);
        Assert.NotEmpty(fixture.Host.Logs.Warnings("is not HTTP/2"));
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_body_gets_the_right_status_and_a_log_line(string method, byte[] body, StatusCode expected, string detail)
    {
        await using var shared = await SharedConnection.OpenAsync(fixture.Host);
        var response = await RawGrpc.SendAsync(shared.Raw, fixture.Host.Address, Service + method, body).OrFail($"response to a malformed {method} body");
        Assert.Equal(200, response.HttpStatus);
        Assert.Equal(expected, response.GrpcStatus);
        Assert.Contains(detail, response.GrpcMessage, StringComparison.Ordinal);
        Assert.NotEmpty(fixture.Host.Logs.Warnings("gRPC protocol error", Service + method, detail));
        await shared.AssertHealthyAsync();
        Assert.Empty(fixture.Host.Logs.UnexpectedErrors("Handler failure requested by the test."));
    }

    /// <summary>Stands in for a misbehaving proxy between our client and the server.</summary>
    private sealed class RequestRewriter(HttpMessageHandler inner, Action<HttpRequestMessage> rewrite) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            rewrite(request);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A long-lived bidi call and a raw invoker on one HTTP/2 connection.</summary>
    private sealed class SharedConnection : IAsyncDisposable
    {
        private readonly SocketsHttpHandler _handler;
        private readonly RpcChannel _channel;
        private readonly AsyncDuplexStreamingCall<EchoRequest, EchoResponse> _bidi;
        private int _pings;

        private SharedConnection(SocketsHttpHandler handler, RpcChannel channel, AsyncDuplexStreamingCall<EchoRequest, EchoResponse> bidi)
        {
            _handler = handler;
            _channel = channel;
            _bidi = bidi;
            Raw = new HttpMessageInvoker(handler, disposeHandler: false);
        }

        public HttpMessageInvoker Raw { get; }

        public static async Task<SharedConnection> OpenAsync(TestHost host)
        {
            var handler = new SocketsHttpHandler { UseProxy = false };
            var channel = RpcChannel.ForAddress(host.Address, new RpcChannelOptions { HttpHandler = handler });
            var connection = new SharedConnection(handler, channel, new InteropServiceClient(channel).Bidi());
            await connection.AssertHealthyAsync();
            return connection;
        }

        public async Task AssertHealthyAsync()
        {
            var tag = $"ping {_pings++}";
            await _bidi.RequestStream.WriteAsync(new EchoRequest { Tag = tag, Payload = ByteString.CopyFromUtf8(tag) }).OrFail($"bidi write {tag}");
            Assert.True(await _bidi.ResponseStream.MoveNext(CancellationToken.None).OrFail($"bidi answer to {tag}"));
            Assert.Equal(tag, _bidi.ResponseStream.Current.Tag);
        }

        public async ValueTask DisposeAsync()
        {
            await _bidi.RequestStream.CompleteAsync().OrFail("completing the long-lived bidi call");
            Assert.False(await _bidi.ResponseStream.MoveNext(CancellationToken.None).OrFail("end of the long-lived bidi call"));
            Assert.Equal(StatusCode.OK, _bidi.GetStatus().StatusCode);
            _bidi.Dispose();
            Raw.Dispose();
            _channel.Dispose();
            _handler.Dispose();
        }
    }
}
