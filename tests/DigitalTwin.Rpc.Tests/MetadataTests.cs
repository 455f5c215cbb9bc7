// Metadata both ways: ASCII and binary ("-bin", base64) request headers, response headers and trailers,
// padded and unpadded base64 accepted, comma-joined binary values split, and the key/value rules.
using DigitalTwin.Rpc.Protocol;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;

namespace DigitalTwin.Rpc.Tests;

public sealed class MetadataTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private const string UnaryPath = "/digitaltwin.testing.v1.InteropService/Unary";

    [Fact]
    public async Task Ascii_and_binary_metadata_round_trip_as_headers_and_trailers()
    {
        var everyByte = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var headers = new Metadata
        {
            { "x-echo-text", "cell=A1; T=298.15 K" },
            { "x-echo-all-bin", everyByte },
            { "x-echo-repeated", "first" },
            { "x-echo-repeated", "second" },
            { "x-not-echoed", "stays on the server" },
        };
        using var call = fixture.Client.UnaryAsync(new EchoRequest { EchoMetadata = true }, new CallOptions(headers));
        var responseHeaders = await call.ResponseHeadersAsync.OrFail("response headers");
        await call.ResponseAsync.OrFail("response");
        foreach (var (name, metadata) in new[] { ("headers", responseHeaders), ("trailers", call.GetTrailers()) })
        {
            Assert.Equal("cell=A1; T=298.15 K", metadata.GetValue("x-echo-text"));
            Assert.Equal(everyByte, metadata.GetValueBytes("x-echo-all-bin"));
            // PROTOCOL-HTTP2.md: duplicate keys may arrive joined with "," and mean the same.
            var repeated = metadata.GetAll("x-echo-repeated").SelectMany(e => e.Value.Split(',')).Select(v => v.Trim());
            Assert.Equal(["first", "second"], repeated);
            Assert.True(metadata.Get("x-not-echoed") is null, name);
        }
    }

    [Theory]
    [InlineData("AAE=", new byte[] { 0, 1 })] // padded
    [InlineData("AAE", new byte[] { 0, 1 })] // unpadded
    [InlineData("AAEC", new byte[] { 0, 1, 2 })]
    [InlineData("/w", new byte[] { 255 })]
    public async Task Server_accepts_padded_and_unpadded_base64(string wire, byte[] expected)
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, UnaryPath, RawGrpc.Frame(new EchoRequest { EchoMetadata = true }), headers: [("x-echo-data-bin", wire)])
            .OrFail("echo of a binary header");
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
        var echoed = response.Headers.GetValues("x-echo-data-bin").Single();
        Assert.DoesNotContain('=', echoed); // PROTOCOL-HTTP2.md: implementations should emit un-padded values
        Assert.Equal(expected, MetadataWire.DecodeBase64(echoed));
    }

    [Fact]
    public async Task Comma_joined_binary_values_are_split_before_decoding()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, UnaryPath, RawGrpc.Frame(new EchoRequest { EchoMetadata = true }), headers: [("x-echo-pair-bin", "AAE=,AgM")])
            .OrFail("echo of joined binary values");
        var values = response.Headers.GetValues("x-echo-pair-bin").SelectMany(v => v.Split(',')).Select(v => MetadataWire.DecodeBase64(v.Trim())).ToArray();
        Assert.Equal([[0, 1], [2, 3]], values);
    }

    [Fact]
    public async Task Invalid_base64_is_dropped_not_fatal()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, UnaryPath, RawGrpc.Frame(new EchoRequest { EchoMetadata = true }), headers: [("x-echo-bad-bin", "***")])
            .OrFail("call with an undecodable binary header");
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
        Assert.False(response.Headers.Contains("x-echo-bad-bin"));
    }

    [Fact]
    public void Keys_are_lower_cased_and_validated()
    {
        var metadata = new Metadata { { "X-Cell-Id", "A1" } };
        Assert.Equal("x-cell-id", metadata[0].Key);
        Assert.Equal("A1", metadata.GetValue("X-CELL-ID"));
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-ünï", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-text", "line\nbreak"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-text", "ü"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data-bin", "text"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data", [1, 2]));
        Assert.Throws<InvalidOperationException>(() => new Metadata { { "x-data-bin", new byte[] { 1 } } }.GetValue("x-data-bin"));
        Assert.Equal("A1"u8.ToArray(), metadata.GetValueBytes("x-cell-id"));
    }

    [Fact]
    public void Reserved_keys_cannot_be_sent()
    {
        var headers = new Metadata { { "grpc-status", "0" } };
        Assert.Throws<InvalidOperationException>(() => fixture.Client.UnaryAsync(new EchoRequest(), new CallOptions(headers)));
    }

    [Fact]
    public async Task Client_sends_unpadded_base64()
    {
        using var recorder = new RecordingHandler(new SocketsHttpHandler { UseProxy = false });
        using var channel = RpcChannel.ForAddress(fixture.Host.Address, new RpcChannelOptions { HttpHandler = recorder });
        await new InteropServiceClient(channel).UnaryAsync(new EchoRequest(), new CallOptions(new Metadata { { "x-one-bin", new byte[] { 7 } } }))
            .ResponseAsync.OrFail("call with binary metadata");
        Assert.Equal("Bw", recorder.LastRequest!.Headers.GetValues("x-one-bin").Single());
        Assert.Equal("trailers", recorder.LastRequest.Headers.GetValues("te").Single());
        Assert.StartsWith("grpc-dotnet-digitaltwin/", recorder.LastRequest.Headers.GetValues("user-agent").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_headers_are_available_before_the_response()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        using var call = fixture.Client.ServerStream(
            new EchoRequest { Tag = tag, EchoMetadata = true, ResponseCount = 0, WaitForCancellation = true },
            new CallOptions(new Metadata { { "x-echo-early", "yes" } }, CancellationToken: cts.Token));
        var headers = await call.ResponseHeadersAsync.OrFail("headers sent before any message");
        Assert.Equal("yes", headers.GetValue("x-echo-early"));
        cts.Cancel();
    }

    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public HttpRequestMessage? LastRequest { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastRequest = request;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
