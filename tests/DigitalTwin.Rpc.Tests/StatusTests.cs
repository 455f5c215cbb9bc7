// Status codes, details and trailers: every standard code, percent-encoded details, trailers-only
// responses for early errors, statuses after streamed messages and handler crashes.
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;

namespace DigitalTwin.Rpc.Tests;

public sealed class StatusTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    public static TheoryData<int> NonOkCodes => new(Enumerable.Range(1, 16));

    [Theory]
    [MemberData(nameof(NonOkCodes))]
    public async Task Every_standard_code_reaches_the_client_with_detail_and_trailers(int code)
    {
        var spec = new StatusSpec { Code = code, Message = $"status {code}" };
        spec.Trailers.Add("x-code", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var call = fixture.Client.UnaryAsync(new EchoRequest { Status = spec });
        var error = await call.ResponseAsync.RpcFailure($"status {code}");
        Assert.Equal((StatusCode)code, error.StatusCode);
        Assert.Equal($"status {code}", error.Status.Detail);
        Assert.Equal(code.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Trailers.GetValue("x-code"));
        Assert.Equal(error.Status, call.GetStatus());
        Assert.Equal("x-code", Assert.Single(call.GetTrailers()).Key);
    }

    [Theory]
    [InlineData("100% done")]
    [InlineData("line one\nline two\ttabbed")]
    [InlineData("Zellspannung 3,7 V — ünïcödé 🔋 电池")]
    [InlineData("%41 is not decoded twice")]
    public async Task Detail_survives_percent_encoding(string detail)
    {
        var error = await fixture.Client.UnaryAsync(new EchoRequest { Status = new StatusSpec { Code = (int)StatusCode.Aborted, Message = detail } })
            .ResponseAsync.RpcFailure("aborted call");
        Assert.Equal(detail, error.Status.Detail);
    }

    [Fact]
    public async Task Early_error_is_a_trailers_only_response()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var request = new EchoRequest { Status = new StatusSpec { Code = (int)StatusCode.NotFound, Message = "no such cell" } };
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, "/digitaltwin.testing.v1.InteropService/Unary", RawGrpc.Frame(request))
            .OrFail("raw unary response");
        Assert.Equal(200, response.HttpStatus);
        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal(StatusCode.NotFound, response.GrpcStatus);
        Assert.Equal("no such cell", response.GrpcMessage);
        Assert.StartsWith("application/grpc", response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Successful_call_sends_status_zero_in_trailers_after_the_message()
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, "/digitaltwin.testing.v1.InteropService/Unary", RawGrpc.Frame(new EchoRequest { Tag = "t" }))
            .OrFail("raw unary response");
        Assert.False(response.IsTrailersOnly, response.ToString());
        Assert.True(response.Trailers.Contains("grpc-status"), response.ToString());
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
        Assert.Equal(0, response.Body[0]);
        Assert.Equal(new EchoResponse { Tag = "t", ReceivedCount = 1 }, EchoResponse.Parser.ParseFrom(response.Body.AsSpan(5)));
    }

    [Fact]
    public async Task Status_after_streamed_messages_arrives_in_trailers()
    {
        var spec = new StatusSpec { Code = (int)StatusCode.DataLoss, Message = "lost the tail" };
        spec.BinaryTrailers.Add("x-last-bin", Google.Protobuf.ByteString.CopyFrom(1, 2, 3));
        using var call = fixture.Client.ServerStream(new EchoRequest { ResponseCount = 3, Status = spec });
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail($"message {i}"));
        }

        var error = await call.ResponseStream.MoveNext(CancellationToken.None).RpcFailure("data loss after three messages");
        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Equal("lost the tail", error.Status.Detail);
        Assert.Equal(new byte[] { 1, 2, 3 }, error.Trailers.GetValueBytes("x-last-bin"));
    }

    [Fact]
    public async Task Ok_status_can_carry_detail_and_trailers()
    {
        var spec = new StatusSpec { Code = 0, Message = "all good" };
        spec.Trailers.Add("x-summary", "3 cycles");
        using var call = fixture.Client.UnaryAsync(new EchoRequest { Status = spec });
        await call.ResponseAsync.OrFail("OK response");
        Assert.Equal(new Status(StatusCode.OK, "all good"), call.GetStatus());
        Assert.Equal("3 cycles", call.GetTrailers().GetValue("x-summary"));
    }

    [Fact]
    public async Task Handler_exception_becomes_unknown_and_is_logged()
    {
        var error = await fixture.Client.UnaryAsync(new EchoRequest { ThrowException = true }).ResponseAsync.RpcFailure("handler crash");
        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("Handler failure requested by the test.", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(fixture.Host.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error
            && e.Exception?.Message == "Handler failure requested by the test.");
        var next = await fixture.Client.UnaryAsync(new EchoRequest { Tag = "after crash" }).ResponseAsync.OrFail("call after the crash");
        Assert.Equal("after crash", next.Tag);
    }

    [Fact]
    public void Status_and_exception_describe_themselves()
    {
        var status = new Status(StatusCode.NotFound, "cell 9");
        var exception = new RpcException(status);
        Assert.Equal("Status(StatusCode=\"NotFound\", Detail=\"cell 9\")", status.ToString());
        Assert.Equal(status.ToString(), exception.Message);
        Assert.Empty(exception.Trailers);
        Assert.Equal(string.Empty, default(Status).Detail ?? string.Empty);
    }
}
