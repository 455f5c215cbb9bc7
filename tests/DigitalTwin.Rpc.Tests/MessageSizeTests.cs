// Message sizes: 8 MiB messages both ways, and every limit (server/client × receive/send, compressed or
// not) ending the call with RESOURCE_EXHAUSTED without disturbing later calls.
using DigitalTwin.Rpc.Protocol;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Tests;

public sealed class SmallLimitsFixture : IAsyncLifetime
{
    /// <summary>1 KiB limits make every overflow cheap to provoke.</summary>
    public const int Limit = 1024;

    private TestHost? _host;

    public TestHost Host => _host ?? throw new InvalidOperationException("Host not started.");

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(o =>
    {
        o.MaxReceiveMessageSize = Limit;
        o.MaxSendMessageSize = Limit;
    });

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

public sealed class MessageSizeTests(HostFixture fixture, SmallLimitsFixture small) : IClassFixture<HostFixture>, IClassFixture<SmallLimitsFixture>
{
    private const string UnaryPath = "/digitaltwin.testing.v1.InteropService/Unary";

    [Fact]
    public async Task Eight_MiB_messages_travel_both_ways()
    {
        var payload = InteropServiceImpl.Pattern((8 * 1024 * 1024) + 1);
        var response = await fixture.Client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload) }).ResponseAsync.OrFail("8 MiB echo", TimeSpan.FromSeconds(30));
        Assert.Equal(payload.Length, response.ReceivedBytes);
        Assert.True(payload.AsSpan().SequenceEqual(response.Payload.Span), "the echoed 8 MiB payload differs");
    }

    [Fact]
    public async Task Eight_MiB_messages_stream_both_ways()
    {
        using var call = fixture.Client.Bidi();
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { ResponseSize = 8 * 1024 * 1024, Payload = ByteString.CopyFrom(new byte[8 * 1024 * 1024]) })
                .OrFail($"write 8 MiB message {i}", TimeSpan.FromSeconds(30));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail($"8 MiB response {i}", TimeSpan.FromSeconds(30)));
            Assert.Equal(8 * 1024 * 1024, call.ResponseStream.Current.Payload.Length);
        }

        await call.RequestStream.CompleteAsync().OrFail("complete");
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("end of stream"));
    }

    [Fact]
    public async Task Server_receive_limit_gives_resource_exhausted_and_a_log_line()
    {
        using var channel = small.Host.CreateChannel();
        var client = new InteropServiceClient(channel);
        var error = await client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[SmallLimitsFixture.Limit]) })
            .ResponseAsync.RpcFailure("oversized request");
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.NotEmpty(small.Host.Logs.Warnings("ResourceExhausted", "maximum configured message size"));
        Assert.Equal("next", (await client.UnaryAsync(new EchoRequest { Tag = "next" }).ResponseAsync.OrFail("call after the rejection")).Tag);
    }

    [Fact]
    public async Task Server_send_limit_gives_resource_exhausted()
    {
        using var channel = small.Host.CreateChannel();
        var error = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest { ResponseSize = SmallLimitsFixture.Limit + 1 })
            .ResponseAsync.RpcFailure("oversized response");
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Sending message exceeds", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_receive_limit_gives_resource_exhausted()
    {
        using var channel = fixture.Host.CreateChannel(new RpcChannelOptions { MaxReceiveMessageSize = SmallLimitsFixture.Limit });
        var error = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest { ResponseSize = 4096 }).ResponseAsync.RpcFailure("response over the client limit");
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Client_send_limit_fails_before_sending()
    {
        using var channel = fixture.Host.CreateChannel(new RpcChannelOptions { MaxSendMessageSize = SmallLimitsFixture.Limit });
        var client = new InteropServiceClient(channel);
        var error = await client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[4096]) }).ResponseAsync.RpcFailure("request over the client limit");
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        using var stream = client.ClientStream();
        var writeError = await stream.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[4096]) }).RpcFailure("streamed request over the limit");
        Assert.Equal(StatusCode.ResourceExhausted, writeError.StatusCode);
    }

    [Fact]
    public async Task Declared_length_over_the_limit_is_refused_before_the_body_arrives()
    {
        // Only the 5-byte prefix is sent: the server must decide from the declared length alone.
        using var invoker = RawGrpc.CreateInvoker();
        var prefix = new byte[] { 0, 0x7F, 0xFF, 0xFF, 0xFF };
        var response = await RawGrpc.SendAsync(invoker, small.Host.Address, UnaryPath, prefix).OrFail("response to a 2 GiB declared length");
        Assert.Equal(StatusCode.ResourceExhausted, response.GrpcStatus);
    }

    [Fact]
    public async Task Decompression_stops_at_the_limit()
    {
        // 512 KiB of zeros gzips to about 0.5 KiB (deflate tops out near 1000:1); it must not be inflated past the 1 KiB limit.
        var bomb = new EchoRequest { Payload = ByteString.CopyFrom(new byte[512 * 1024]) }.ToByteArray();
        using var compressed = MessageCompression.Compress(MessageCompression.Gzip, bomb, System.IO.Compression.CompressionLevel.SmallestSize);
        Assert.True(compressed.Length < SmallLimitsFixture.Limit, $"the test bomb is {compressed.Length} bytes");
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, small.Host.Address, UnaryPath, RawGrpc.Frame(compressed.WrittenSpan.ToArray(), flag: 1), headers: [("grpc-encoding", "gzip")])
            .OrFail("response to a gzip bomb");
        Assert.Equal(StatusCode.ResourceExhausted, response.GrpcStatus);
    }
}
