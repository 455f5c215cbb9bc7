// Our client against a @grpc/grpc-js server (node child process); the shared cases are in PeerServerTests.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Interop.Tests;

public sealed class GrpcJsServerFixture : IAsyncLifetime
{
    private PeerProcess? _plain;

    public PeerProcess Plain => _plain ?? throw new InvalidOperationException("Peer not started.");

    public Uri PlainAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        InteropPaths.RequireNodeModules();
        _plain = PeerProcess.Start(InteropPaths.Node, InteropPaths.NodeDirectory, "interop_server.js", InteropPaths.TestProtoRoot);
        var line = await _plain.WaitForLineAsync("LISTENING ", TimeSpan.FromSeconds(30));
        PlainAddress = new Uri("http://127.0.0.1:" + line["LISTENING ".Length..]);
    }

    public async Task DisposeAsync()
    {
        if (_plain is not null)
        {
            await _plain.DisposeAsync();
        }
    }
}

public sealed class GrpcJsServerTests(GrpcJsServerFixture peer) : PeerServerTests, IClassFixture<GrpcJsServerFixture>
{
    protected override Uri Address => peer.PlainAddress;

    protected override PeerProcess Peer => peer.Plain;

    [Fact]
    public async Task Gzip_requests_are_decompressed_by_grpc_js()
    {
        // grpc-js servers never compress responses, so only the request direction can be shown here;
        // our client's decompression meets python3-grpcio's gzip in PythonServerTests.
        using var recorder = new HeaderRecorder(new SocketsHttpHandler());
        using var channel = RpcChannel.ForAddress(Address, new RpcChannelOptions { HttpHandler = recorder, RequestCompression = "gzip" });
        var response = await new InteropServiceClient(channel)
            .UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(InteropServiceImpl.Pattern(50_000)), ResponseSize = 40_000 })
            .ResponseAsync.OrFail("response from grpc-js to a gzip request", PeerTimeout);
        Assert.Equal(50_000, response.ReceivedBytes);
        Assert.Equal(InteropServiceImpl.Pattern(40_000), response.Payload.ToByteArray());
        Assert.Equal("gzip", recorder.LastRequestEncoding);
    }
}
