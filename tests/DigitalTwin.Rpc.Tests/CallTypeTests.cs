// The four call types end to end on a loopback Kestrel host with our client.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Tests;

public sealed class CallTypeTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Unary_echoes_the_payload()
    {
        var payload = ByteString.CopyFromUtf8("hello, twin");
        using var call = fixture.Client.UnaryAsync(new EchoRequest { Payload = payload, Tag = "u1" });
        var response = await call.ResponseAsync.OrFail("unary response");
        Assert.Equal(payload, response.Payload);
        Assert.Equal("u1", response.Tag);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_with_empty_messages_round_trips()
    {
        var response = await fixture.Client.UnaryAsync(new EchoRequest()).ResponseAsync.OrFail("empty unary response");
        Assert.Equal(new EchoResponse { ReceivedCount = 1 }, response);
    }

    [Fact]
    public async Task Server_stream_delivers_every_message_in_order()
    {
        using var call = fixture.Client.ServerStream(new EchoRequest { ResponseCount = 100, ResponseSize = 10 });
        var indexes = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync().WithCancellation(CancellationToken.None))
        {
            indexes.Add(message.Index);
            Assert.Equal(InteropServiceImpl.Pattern(10), message.Payload.ToByteArray());
        }

        Assert.Equal(Enumerable.Range(0, 100), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_stream_counts_every_message()
    {
        using var call = fixture.Client.ClientStream();
        for (var i = 0; i < 50; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[i]) }).OrFail($"write {i}");
        }

        await call.RequestStream.CompleteAsync().OrFail("complete request stream");
        var response = await call.ResponseAsync.OrFail("client-stream response");
        Assert.Equal(50, response.ReceivedCount);
        Assert.Equal(49 * 50 / 2, response.ReceivedBytes); // Σ i for i < 50
    }

    [Fact]
    public async Task Bidi_answers_each_request_before_the_next_is_sent()
    {
        using var call = fixture.Client.Bidi();
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Tag = $"ping {i}" }).OrFail($"write ping {i}");
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail($"pong {i}"));
            Assert.Equal($"ping {i}", call.ResponseStream.Current.Tag);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync().OrFail("complete request stream");
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("end of response stream"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Concurrent_calls_share_one_channel()
    {
        var calls = Enumerable.Range(0, 64)
            .Select(i => fixture.Client.UnaryAsync(new EchoRequest { Tag = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ResponseAsync)
            .ToArray();
        var responses = await Task.WhenAll(calls).OrFail("64 concurrent unary responses");
        Assert.Equal(Enumerable.Range(0, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), responses.Select(r => r.Tag));
    }

    [Fact]
    public async Task Tls_with_alpn_h2_serves_calls()
    {
        var host = fixture.Host;
        using var channel = RpcChannel.ForAddress(host.TlsAddress!, new RpcChannelOptions
        {
            ServerCertificateValidation = (_, certificate, _, _) => certificate?.GetCertHashString() == host.Certificate!.GetCertHashString(),
        });
        var response = await new InteropServiceClient(channel).UnaryAsync(new EchoRequest { Tag = "tls" }).ResponseAsync.OrFail("unary over TLS");
        Assert.Equal("tls", response.Tag);
    }
}
