// Our client against a python3-grpcio server (C-core, child process) that gzips every response: the shared
// cases of PeerServerTests all decode gzip from an independent compressor, plus gzip in both directions.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Interop.Tests;

public sealed class PythonServerFixture : IAsyncLifetime
{
    private readonly string _descriptors = DescriptorSet.WriteTemporary();
    private PeerProcess? _peer;

    public PeerProcess Peer => _peer ?? throw new InvalidOperationException("Peer not started.");

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _peer = PeerProcess.Start(InteropPaths.Python, InteropPaths.PythonDirectory, "interop.py", "server", _descriptors);
        var line = await _peer.WaitForLineAsync("LISTENING ", TimeSpan.FromSeconds(30));
        Address = new Uri("http://127.0.0.1:" + line["LISTENING ".Length..]);
    }

    public async Task DisposeAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }

        File.Delete(_descriptors);
    }
}

public sealed class PythonServerTests(PythonServerFixture peer) : PeerServerTests, IClassFixture<PythonServerFixture>
{
    protected override Uri Address => peer.Address;

    protected override PeerProcess Peer => peer.Peer;

    [Fact]
    public async Task Gzip_both_ways_with_grpcio()
    {
        using var recorder = new HeaderRecorder(new SocketsHttpHandler());
        using var channel = RpcChannel.ForAddress(Address, new RpcChannelOptions { HttpHandler = recorder, RequestCompression = "gzip" });
        var response = await new InteropServiceClient(channel)
            .UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(InteropServiceImpl.Pattern(50_000)), ResponseSize = 40_000 })
            .ResponseAsync.OrFail("gzip response from grpcio", PeerTimeout);
        Assert.Equal(50_000, response.ReceivedBytes);
        Assert.Equal(InteropServiceImpl.Pattern(40_000), response.Payload.ToByteArray());
        Assert.Equal("gzip", recorder.LastRequestEncoding);
        Assert.Equal("gzip", recorder.LastResponseEncoding);
    }
}
