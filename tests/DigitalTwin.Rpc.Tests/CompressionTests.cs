// Per-message compression: gzip and deflate requests, gzip responses to clients that accept it (and only
// to those), and the error statuses of compression.md for unsupported or inconsistent encodings.
using DigitalTwin.Rpc.Protocol;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Tests;

public sealed class GzipHostFixture : IAsyncLifetime
{
    private TestHost? _host;

    public TestHost Host => _host ?? throw new InvalidOperationException("Host not started.");

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(o => o.ResponseCompression = "gzip");

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class CompressionTests(HostFixture fixture, GzipHostFixture gzip) : IClassFixture<HostFixture>, IClassFixture<GzipHostFixture>
{
    private const string UnaryPath = "/digitaltwin.testing.v1.InteropService/Unary";

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Compressed_requests_are_decompressed(string encoding)
    {
        var payload = InteropServiceImpl.Pattern(100_000);
        var response = await fixture.Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload) }, new CallOptions { RequestCompression = encoding })
            .ResponseAsync.OrFail($"{encoding} request");
        Assert.Equal(encoding, response.RequestEncoding);
        Assert.Equal(payload, response.Payload.ToByteArray());
    }

    [Fact]
    public async Task Channel_compression_applies_to_streamed_requests()
    {
        using var channel = fixture.Host.CreateChannel(new RpcChannelOptions { RequestCompression = "gzip" });
        using var call = new InteropServiceClient(channel).ClientStream();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(InteropServiceImpl.Pattern(10_000)) }).OrFail($"write {i}");
        }

        await call.RequestStream.CompleteAsync().OrFail("complete");
        Assert.Equal(50_000, (await call.ResponseAsync.OrFail("client-stream response")).ReceivedBytes);
    }

    [Fact]
    public async Task Server_gzips_responses_for_clients_that_accept_it()
    {
        using var channel = gzip.Host.CreateChannel();
        var response = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest { ResponseSize = 50_000 }).ResponseAsync.OrFail("gzip response");
        Assert.Equal("gzip", response.ResponseEncoding);
        Assert.Equal(InteropServiceImpl.Pattern(50_000), response.Payload.ToByteArray());

        using var invoker = RawGrpc.CreateInvoker();
        var raw = await RawGrpc.SendAsync(invoker, gzip.Host.Address, UnaryPath, RawGrpc.Frame(new EchoRequest { ResponseSize = 50_000 }), headers: [("grpc-accept-encoding", "identity,gzip")])
            .OrFail("raw gzip response");
        Assert.Equal("gzip", raw.Headers.GetValues("grpc-encoding").Single());
        Assert.Equal(1, raw.Body[0]);
        Assert.True(raw.Body.Length < 25_000, $"a 50 000-byte repeating pattern should compress well, got {raw.Body.Length} bytes");
    }

    [Fact]
    public async Task Server_does_not_compress_for_clients_that_do_not_accept_gzip()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var raw = await RawGrpc.SendAsync(invoker, gzip.Host.Address, UnaryPath, RawGrpc.Frame(new EchoRequest { ResponseSize = 1000 }), headers: [("grpc-accept-encoding", "identity")])
            .OrFail("raw identity response");
        Assert.Equal(StatusCode.OK, raw.GrpcStatus);
        Assert.Equal(0, raw.Body[0]);
        Assert.False(raw.Headers.Contains("grpc-encoding"));
    }

    [Fact]
    public async Task Unsupported_encoding_is_unimplemented_and_lists_what_is_accepted()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var raw = await RawGrpc.SendAsync(invoker, fixture.Host.Address, UnaryPath, RawGrpc.Frame([1, 2, 3], flag: 1), headers: [("grpc-encoding", "snappy")])
            .OrFail("response to a snappy message");
        Assert.Equal(StatusCode.Unimplemented, raw.GrpcStatus);
        var accepted = raw.Headers.GetValues("grpc-accept-encoding").Single().Split(',');
        Assert.Contains("gzip", accepted);
        Assert.DoesNotContain("snappy", accepted); // compression.md test case 4
        Assert.NotEmpty(fixture.Host.Logs.Warnings("Unsupported grpc-encoding 'snappy'"));
    }

    [Fact]
    public async Task Compressed_flag_without_an_encoding_is_internal()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var raw = await RawGrpc.SendAsync(invoker, fixture.Host.Address, UnaryPath, RawGrpc.Frame(new EchoRequest(), flag: 1)).OrFail("response to a flagged message without encoding");
        Assert.Equal(StatusCode.Internal, raw.GrpcStatus);
        Assert.Contains("Compressed-Flag", raw.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_gzip_is_internal()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var raw = await RawGrpc.SendAsync(invoker, fixture.Host.Address, UnaryPath, RawGrpc.Frame("not gzip at all"u8.ToArray(), flag: 1), headers: [("grpc-encoding", "gzip")])
            .OrFail("response to corrupt gzip");
        Assert.Equal(StatusCode.Internal, raw.GrpcStatus);
    }

    [Fact]
    public void Compression_round_trips_through_the_codec()
    {
        var data = InteropServiceImpl.Pattern(70_000);
        foreach (var encoding in new[] { MessageCompression.Gzip, MessageCompression.Deflate })
        {
            using var compressed = MessageCompression.Compress(encoding, data, System.IO.Compression.CompressionLevel.Fastest);
            var restored = MessageCompression.Decompress(encoding, new System.Buffers.ReadOnlySequence<byte>(compressed.WrittenMemory), data.Length, out var length);
            Assert.True(data.AsSpan().SequenceEqual(restored.AsSpan(0, length)), encoding);
            System.Buffers.ArrayPool<byte>.Shared.Return(restored);
        }
    }
}
