// Our client against a @grpc/grpc-js server (node child process): every call type, status with trailers,
// deadline and cancellation seen by the peer, metadata both ways, 8 MiB messages and gzip.
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

public sealed class GrpcJsServerTests(GrpcJsServerFixture peer) : IClassFixture<GrpcJsServerFixture>
{
    private static readonly RpcChannelOptions LargeMessages = new() { MaxReceiveMessageSize = 16 * 1024 * 1024 };

    [Fact]
    public async Task Unary_call_reaches_grpc_js()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
        var response = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("from .NET"), Tag = "u" })
            .ResponseAsync.OrFail("grpc-js unary response", PeerTimeout);
        Assert.Equal("from .NET", response.Payload.ToStringUtf8());
        Assert.Equal("u", response.Tag);
    }

    [Fact]
    public async Task Server_stream_from_grpc_js_arrives_in_order()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
        using var call = new InteropServiceClient(channel).ServerStream(new EchoRequest { ResponseCount = 30, ResponseSize = 5 });
        var indexes = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).OrFail($"grpc-js stream message {indexes.Count}", PeerTimeout))
        {
            indexes.Add(call.ResponseStream.Current.Index);
            Assert.Equal(InteropServiceImpl.Pattern(5), call.ResponseStream.Current.Payload.ToByteArray());
        }

        Assert.Equal(Enumerable.Range(0, 30), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_stream_to_grpc_js_is_counted()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
        using var call = new InteropServiceClient(channel).ClientStream();
        for (var i = 1; i <= 12; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[i]) }).OrFail($"write {i}", PeerTimeout);
        }

        await call.RequestStream.CompleteAsync().OrFail("complete", PeerTimeout);
        var response = await call.ResponseAsync.OrFail("grpc-js client-stream response", PeerTimeout);
        Assert.Equal(12, response.ReceivedCount);
        Assert.Equal(78, response.ReceivedBytes); // Σ i for i = 1..12
    }

    [Fact]
    public async Task Bidi_ping_pong_with_grpc_js()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
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
    public async Task Error_status_message_and_trailers_from_grpc_js()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
        var spec = new StatusSpec { Code = (int)StatusCode.FailedPrecondition, Message = "cell 7 is resting: 50% ünïcödé" };
        spec.Trailers.Add("x-reason", "resting");
        spec.BinaryTrailers.Add("x-state-bin", ByteString.CopyFrom(0, 128, 255));
        using var call = new InteropServiceClient(channel).UnaryAsync(new EchoRequest { Status = spec });
        var error = await call.ResponseAsync.RpcFailure("grpc-js error status", PeerTimeout);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("cell 7 is resting: 50% ünïcödé", error.Status.Detail);
        Assert.Equal("resting", error.Trailers.GetValue("x-reason"));
        Assert.Equal(new byte[] { 0, 128, 255 }, error.Trailers.GetValueBytes("x-state-bin"));
        Assert.Equal(call.GetStatus(), error.Status);
    }

    [Fact]
    public async Task Deadline_expires_on_our_side_and_grpc_js_sees_it()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
        var tag = "deadline-" + Guid.NewGuid().ToString("N");
        var call = new InteropServiceClient(channel).UnaryAsync(
            new EchoRequest { Tag = tag, WaitForCancellation = true },
            new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300)));
        var error = await call.ResponseAsync.RpcFailure("deadline exceeded against grpc-js", PeerTimeout);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        var line = await peer.Plain.WaitForLineAsync($"CANCELLED {tag}", PeerTimeout);
        Assert.EndsWith("deadline", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_stream_cancels_the_grpc_js_handler()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
        var tag = "cancel-" + Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        using var call = new InteropServiceClient(channel).ServerStream(
            new EchoRequest { Tag = tag, ResponseCount = 1, WaitForCancellation = true },
            new CallOptions(CancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("first message from grpc-js", PeerTimeout));
        await cts.CancelAsync();
        var error = await call.ResponseStream.MoveNext(CancellationToken.None).RpcFailure("cancelled stream", PeerTimeout);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        var line = await peer.Plain.WaitForLineAsync($"CANCELLED {tag}", PeerTimeout);
        Assert.EndsWith("cancelled", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_travels_both_ways_with_grpc_js()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress);
        var headers = new Metadata { { "x-echo-text", "plain text" }, { "x-echo-blob-bin", new byte[] { 0, 255, 1, 254 } } };
        using var call = new InteropServiceClient(channel).UnaryAsync(new EchoRequest { EchoMetadata = true }, new CallOptions(headers));
        var responseHeaders = await call.ResponseHeadersAsync.OrFail("grpc-js response headers", PeerTimeout);
        await call.ResponseAsync.OrFail("grpc-js response", PeerTimeout);
        foreach (var received in new[] { responseHeaders, call.GetTrailers() })
        {
            Assert.Equal("plain text", received.GetValue("x-echo-text"));
            Assert.Equal(new byte[] { 0, 255, 1, 254 }, received.GetValueBytes("x-echo-blob-bin"));
        }
    }

    [Fact]
    public async Task Eight_MiB_messages_both_ways_with_grpc_js()
    {
        using var channel = RpcChannel.ForAddress(peer.PlainAddress, LargeMessages);
        var payload = InteropServiceImpl.Pattern((8 * 1024 * 1024) + 3);
        var response = await new InteropServiceClient(channel)
            .UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(payload), ResponseSize = 9 * 1024 * 1024 })
            .ResponseAsync.OrFail("9 MiB response from grpc-js", PeerTimeout);
        Assert.Equal(payload.Length, response.ReceivedBytes);
        Assert.Equal(InteropServiceImpl.Pattern(9 * 1024 * 1024), response.Payload.ToByteArray());
    }

    [Fact]
    public async Task Gzip_requests_are_decompressed_by_grpc_js()
    {
        // grpc-js servers never compress responses, so only the request direction can be shown here;
        // our client's decompression meets python3-grpcio's gzip in PythonServerTests.
        using var recorder = new HeaderRecorder(new SocketsHttpHandler());
        using var channel = RpcChannel.ForAddress(peer.PlainAddress, new RpcChannelOptions { HttpHandler = recorder, RequestCompression = "gzip" });
        var response = await new InteropServiceClient(channel)
            .UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(InteropServiceImpl.Pattern(50_000)), ResponseSize = 40_000 })
            .ResponseAsync.OrFail("response from grpc-js to a gzip request", PeerTimeout);
        Assert.Equal(50_000, response.ReceivedBytes);
        Assert.Equal(InteropServiceImpl.Pattern(40_000), response.Payload.ToByteArray());
        Assert.Equal("gzip", recorder.LastRequestEncoding);
    }

    private static TimeSpan PeerTimeout => TimeSpan.FromSeconds(30);

    /// <summary>Records the grpc-encoding headers, to prove both sides really compressed.</summary>
    private sealed class HeaderRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
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
