// Cancellation both ways: the client's token or Dispose resets the stream and cancels the handler; a
// server that resets the stream (RST_STREAM CANCEL) surfaces as CANCELLED on the client.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;
using Google.Protobuf;

namespace DigitalTwin.Rpc.Tests;

public sealed class CancellationTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Client_token_cancels_a_server_stream_and_its_handler()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        using var call = fixture.Client.ServerStream(new EchoRequest { Tag = tag, ResponseCount = 1, WaitForCancellation = true }, new CallOptions(CancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("first message"));
        cts.Cancel();
        var error = await call.ResponseStream.MoveNext(CancellationToken.None).RpcFailure("cancelled stream");
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("cancelled", await fixture.Host.Service.CancellationObserved(tag).OrFail("handler to see RST_STREAM"));
    }

    [Fact]
    public async Task Client_token_cancels_a_unary_call_in_flight()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        using var call = fixture.Client.UnaryAsync(new EchoRequest { Tag = tag, WaitForCancellation = true }, new CallOptions(CancellationToken: cts.Token));
        var headers = call.ResponseHeadersAsync;
        await fixture.Host.Service.WaitingForCancellation(tag).OrFail("handler to start");
        cts.Cancel();
        var error = await call.ResponseAsync.RpcFailure("cancelled unary");
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(StatusCode.Cancelled, (await headers.RpcFailure("headers of a cancelled call")).StatusCode);
        Assert.Equal("cancelled", await fixture.Host.Service.CancellationObserved(tag).OrFail("handler to see RST_STREAM"));
    }

    [Fact]
    public async Task Token_passed_to_MoveNext_cancels_the_call()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var call = fixture.Client.ServerStream(new EchoRequest { Tag = tag, ResponseCount = 1, WaitForCancellation = true });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("first message"));
        using var cts = new CancellationTokenSource(100);
        var error = await call.ResponseStream.MoveNext(cts.Token).RpcFailure("MoveNext cancelled by its token");
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("cancelled", await fixture.Host.Service.CancellationObserved(tag).OrFail("handler to see RST_STREAM"));
    }

    [Fact]
    public async Task Disposing_a_running_call_cancels_it()
    {
        var tag = Guid.NewGuid().ToString("N");
        var call = fixture.Client.ServerStream(new EchoRequest { Tag = tag, ResponseCount = 1, WaitForCancellation = true });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("first message"));
        call.Dispose();
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        Assert.Equal("cancelled", await fixture.Host.Service.CancellationObserved(tag).OrFail("handler to see RST_STREAM after Dispose"));
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None)).OrFail("MoveNext after Dispose to throw");
    }

    [Fact]
    public async Task Already_cancelled_token_fails_at_once()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var error = await fixture.Client.UnaryAsync(new EchoRequest(), new CallOptions(CancellationToken: cts.Token)).ResponseAsync.RpcFailure("pre-cancelled call");
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Server_reset_surfaces_as_cancelled()
    {
        using var call = fixture.Client.ServerStream(new EchoRequest { ResponseCount = 2, ResetStream = true });
        var received = 0;
        var error = await Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                received++;
            }
        }).RpcFailure("stream reset by the server");
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.InRange(received, 0, 2);
    }

    [Fact]
    public async Task Server_error_while_the_client_streams_reaches_the_writer()
    {
        using var call = fixture.Client.Bidi();
        await call.RequestStream.WriteAsync(new EchoRequest { Status = new StatusSpec { Code = (int)StatusCode.ResourceExhausted, Message = "quota" } })
            .OrFail("first write");
        var error = await Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }).RpcFailure("server ends the call early");
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var writeError = await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("late") }).RpcFailure("write after the server ended the call");
        Assert.Equal(StatusCode.ResourceExhausted, writeError.StatusCode);
    }

    [Fact]
    public async Task Writing_after_complete_is_refused()
    {
        using var call = fixture.Client.ClientStream();
        await call.RequestStream.CompleteAsync().OrFail("complete");
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(new EchoRequest())).OrFail("write after complete to be refused");
        var response = await call.ResponseAsync.OrFail("response to an empty client stream");
        Assert.Equal(0, response.ReceivedCount);
    }
}
