// Our client against an independent gRPC server (grpc-js or python3-grpcio in a child process): every
// call type, status with trailers, deadline and cancellation seen by the peer, metadata both ways, 8 MiB.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Interop.Tests;

public abstract class PeerServerTests
{
    /// <summary>The peer server's address.</summary>
    protected abstract Uri Address { get; }

    /// <summary>The peer process, for its CANCELLED lines.</summary>
    protected abstract PeerProcess Peer { get; }

    protected static TimeSpan PeerTimeout => TimeSpan.FromSeconds(30);

    private static readonly RpcChannelOptions LargeMessages = new() { MaxReceiveMessageSize = 16 * 1024 * 1024 };

    [Fact]
    public async Task Unary_call_reaches_the_peer()
    {
        using var channel = RpcChannel.ForAddress(Address);
        var response = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("from .NET"), Tag = "u" })
            .ResponseAsync.OrFail("the peer unary response", PeerTimeout);
        Assert.Equal("from .NET", response.Payload.ToStringUtf8());
        Assert.Equal("u", response.Tag);
    }

    [Fact]
    public async Task Server_stream_from_the_peer_arrives_in_order()
    {
        using var channel = RpcChannel.ForAddress(Address);
        using var call = new InteropServiceClient(channel).ServerStream(new EchoRequest { ResponseCount = 30, ResponseSize = 5 });
        var indexes = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).OrFail($"the peer stream message {indexes.Count}", PeerTimeout))
        {
            indexes.Add(call.ResponseStream.Current.Index);
            Assert.Equal(InteropServiceImpl.Pattern(5), call.ResponseStream.Current.Payload.ToByteArray());
        }

        Assert.Equal(Enumerable.Range(0, 30), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_stream_to_the_peer_is_counted()
    {
        using var channel = RpcChannel.ForAddress(Address);
        using var call = new InteropServiceClient(channel).ClientStream();
        for (var i = 1; i <= 12; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[i]) }).OrFail($"write {i}", PeerTimeout);
        }

        await call.RequestStream.CompleteAsync().OrFail("complete", PeerTimeout);
        var response = await call.ResponseAsync.OrFail("the peer client-stream response", PeerTimeout);
        Assert.Equal(12, response.ReceivedCount);
        Assert.Equal(78, response.ReceivedBytes); // Σ i for i = 1..12
    }

    [Fact]
    public async Task Bidi_ping_pong_with_the_peer()
    {
        using var channel = RpcChannel.ForAddress(Address);
        using var call = new InteropServiceClient(channel).Bidi();
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Tag = $"ping {i}" }).OrFail($"write ping {i}", PeerTimeout);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail($"pong {i}", PeerTimeout));
            Assert.Equal($"ping {i}", call.ResponseStream.Current.Tag);
        }

        await call.RequestStream.CompleteAsync().OrFail("complete", PeerTimeout);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("end of stream", PeerTimeout));
    }

    [Fact]
    public async Task Error_status_message_and_trailers_from_the_peer()
    {
        using var channel = RpcChannel.ForAddress(Address);
        var spec = new StatusSpec { Code = (int)StatusCode.FailedPrecondition, Message = "cell 7 is resting: 50% ünïcödé" };
        spec.Trailers.Add("x-reason", "resting");
        spec.BinaryTrailers.Add("x-state-bin", ByteString.CopyFrom(0, 128, 255));
        using var call = new InteropServiceClient(channel).UnaryAsync(new EchoRequest { Status = spec });
        var error = await call.ResponseAsync.RpcFailure("the peer error status", PeerTimeout);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("cell 7 is resting: 50% ünïcödé", error.Status.Detail);
        Assert.Equal("resting", error.Trailers.GetValue("x-reason"));
        Assert.Equal(new byte[] { 0, 128, 255 }, error.Trailers.GetValueBytes("x-state-bin"));
        Assert.Equal(call.GetStatus(), error.Status);
    }

    [Fact]
    public async Task Deadline_expires_on_our_side_and_the_peer_sees_it()
    {
        using var channel = RpcChannel.ForAddress(Address);
        var tag = "deadline-" + Guid.NewGuid().ToString("N");
        var client = new InteropServiceClient(channel);
        await client.UnaryAsync(new EchoRequest { Tag = "warm-up" }).ResponseAsync.OrFail("warm-up call that opens the connection", PeerTimeout);
        var call = client.UnaryAsync(new EchoRequest { Tag = tag, WaitForCancellation = true }, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1)));
        var error = await call.ResponseAsync.RpcFailure("deadline exceeded against the peer", PeerTimeout);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        var line = await Peer.WaitForLineAsync($"CANCELLED {tag}", PeerTimeout);
        Assert.EndsWith("deadline", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_stream_cancels_the_peer_handler()
    {
        using var channel = RpcChannel.ForAddress(Address);
        var tag = "cancel-" + Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        using var call = new InteropServiceClient(channel).ServerStream(
            new EchoRequest { Tag = tag, ResponseCount = 1, WaitForCancellation = true },
            new CallOptions(CancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("first message from the peer", PeerTimeout));
        cts.Cancel();
        var error = await call.ResponseStream.MoveNext(CancellationToken.None).RpcFailure("cancelled stream", PeerTimeout);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        var line = await Peer.WaitForLineAsync($"CANCELLED {tag}", PeerTimeout);
        Assert.EndsWith("cancelled", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_travels_both_ways_with_the_peer()
    {
        using var channel = RpcChannel.ForAddress(Address);
        var headers = new Metadata { { "x-echo-text", "plain text" }, { "x-echo-blob-bin", new byte[] { 0, 255, 1, 254 } } };
        using var call = new InteropServiceClient(channel).UnaryAsync(new EchoRequest { EchoMetadata = true }, new CallOptions(headers));
        var responseHeaders = await call.ResponseHeadersAsync.OrFail("the peer response headers", PeerTimeout);
        await call.ResponseAsync.OrFail("the peer response", PeerTimeout);
        foreach (var received in new[] { responseHeaders, call.GetTrailers() })
        {
            Assert.Equal("plain text", received.GetValue("x-echo-text"));
            Assert.Equal(new byte[] { 0, 255, 1, 254 }, received.GetValueBytes("x-echo-blob-bin"));
        }
    }

    [Fact]
    public async Task Eight_MiB_messages_both_ways_with_the_peer()
    {
        using var channel = RpcChannel.ForAddress(Address, LargeMessages);
        var payload = InteropServiceImpl.Pattern((8 * 1024 * 1024) + 3);
        var response = await new InteropServiceClient(channel)
            .UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload), ResponseSize = 9 * 1024 * 1024 })
            .ResponseAsync.OrFail("9 MiB response from the peer", PeerTimeout);
        Assert.Equal(payload.Length, response.ReceivedBytes);
        Assert.Equal(InteropServiceImpl.Pattern(9 * 1024 * 1024), response.Payload.ToByteArray());
    }

    /// <summary>Records the grpc-encoding headers, to prove both sides really compressed.</summary>
    protected sealed class HeaderRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public string? LastRequestEncoding { get; private set; }

        public string? LastResponseEncoding { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastRequestEncoding = request.Headers.TryGetValues("grpc-encoding", out var sent) ? string.Join(",", sent) : null;
            var response = await base.SendAsync(request, cancellationToken);
            LastResponseEncoding = response.Headers.TryGetValues("grpc-encoding", out var values) ? string.Join(",", values) : null;
            return response;
        }
    }
}
