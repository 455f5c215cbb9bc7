// Deadlines: grpc-timeout sent from CallOptions.Deadline, enforced by the client and by the server
// (each side on its own), every timeout unit parsed, and invalid values rejected.
using DigitalTwin.Rpc.Protocol;
using DigitalTwin.Rpc.Tests.Support;
using DigitalTwin.Testing.V1;

namespace DigitalTwin.Rpc.Tests;

public sealed class DeadlineTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private const string UnaryPath = "/digitaltwin.testing.v1.InteropService/Unary";

    [Fact]
    public async Task Client_deadline_fails_the_call_and_cancels_the_handler()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var call = fixture.Client.UnaryAsync(
            new EchoRequest { Tag = tag, WaitForCancellation = true },
            new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1)));
        var error = await call.ResponseAsync.RpcFailure("deadline exceeded");
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
        Assert.Equal("deadline", await fixture.Host.Service.CancellationObserved(tag).OrFail("handler cancelled at its deadline"));
    }

    [Fact]
    public async Task Deadline_on_a_server_stream_ends_it_after_the_messages_so_far()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var call = fixture.Client.ServerStream(
            new EchoRequest { Tag = tag, ResponseCount = 2, WaitForCancellation = true },
            new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1)));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("first message"));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).OrFail("second message"));
        var error = await call.ResponseStream.MoveNext(CancellationToken.None).RpcFailure("deadline after two messages");
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal("deadline", await fixture.Host.Service.CancellationObserved(tag).OrFail("handler cancelled at its deadline"));
    }

    [Fact]
    public async Task Past_deadline_fails_without_sending()
    {
        using var call = fixture.Client.UnaryAsync(new EchoRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1)));
        Assert.True(call.ResponseAsync.IsCompleted);
        var error = await call.ResponseAsync.RpcFailure("already expired deadline");
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task Server_enforces_the_deadline_on_its_own()
    {
        // A raw client sends grpc-timeout but never gives up itself: the server's timer must end the call.
        var tag = Guid.NewGuid().ToString("N");
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(
            invoker,
            fixture.Host.Address,
            UnaryPath,
            RawGrpc.Frame(new EchoRequest { Tag = tag, WaitForCancellation = true }),
            headers: [("grpc-timeout", "250m")]).OrFail("server-side deadline response");
        Assert.Equal(StatusCode.DeadlineExceeded, response.GrpcStatus);
        Assert.Equal("deadline", await fixture.Host.Service.CancellationObserved(tag).OrFail("handler cancelled by the server's timer"));
    }

    [Theory]
    [InlineData("0n", true)]
    [InlineData("1u", true)]
    [InlineData("1m", false)] // 200 small messages may all go out within 1 ms: OK is then right too
    public async Task Deadline_expiring_mid_stream_ends_with_a_status_not_a_reset(string timeout, bool mustExpire)
    {
        // Found by the fuzz test: a deadline firing during a response flush must still end with trailers.
        using var invoker = RawGrpc.CreateInvoker();
        for (var i = 0; i < 20; i++)
        {
            var response = await RawGrpc.SendAsync(
                invoker,
                fixture.Host.Address,
                "/digitaltwin.testing.v1.InteropService/ServerStream",
                RawGrpc.Frame(new EchoRequest { ResponseCount = 200, ResponseSize = 100 }),
                headers: [("grpc-timeout", timeout)]).OrFail($"stream with grpc-timeout {timeout}, attempt {i}");
            Assert.True(
                response.GrpcStatus == StatusCode.DeadlineExceeded || (!mustExpire && response.GrpcStatus == StatusCode.OK),
                $"attempt {i}: {response}");
        }
    }

    [Fact]
    public async Task Server_sees_the_clients_deadline()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var response = await fixture.Client.UnaryAsync(new EchoRequest(), new CallOptions(Deadline: deadline)).ResponseAsync.OrFail("unary with deadline");
        var seen = DateTimeOffset.FromUnixTimeMilliseconds(response.ServerDeadlineUnixMs).UtcDateTime;
        // grpc-timeout is rounded up to its unit and measured from arrival: later by at most transit + 1 unit.
        Assert.InRange((seen - deadline).TotalMilliseconds, -5, 1000);
    }

    [Fact]
    public async Task No_deadline_means_none_on_the_server()
    {
        var response = await fixture.Client.UnaryAsync(new EchoRequest()).ResponseAsync.OrFail("unary without deadline");
        Assert.Equal(0, response.ServerDeadlineUnixMs);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("123456789S")] // 9 digits: TimeoutValue allows at most 8
    [InlineData("10x")]
    [InlineData("S")]
    [InlineData("-5S")]
    public async Task Invalid_timeout_is_internal_and_logged(string value)
    {
        using var invoker = RawGrpc.CreateInvoker();
        var response = await RawGrpc.SendAsync(invoker, fixture.Host.Address, UnaryPath, RawGrpc.Frame(new EchoRequest()), headers: [("grpc-timeout", value)])
            .OrFail("response to an invalid grpc-timeout");
        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.NotEmpty(fixture.Host.Logs.Warnings("invalid grpc-timeout", $"'{value}'"));
    }

    // Expected values: PROTOCOL-HTTP2.md TimeoutUnit (H hours, M minutes, S seconds, m ms, u µs, n ns).
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("99999999n", 1_000_000L)] // 99 999 999 ns rounds up to 1 000 000 ticks of 100 ns
    [InlineData("1n", 1L)] // below one tick rounds up, so a tiny timeout never becomes "no time at all"
    [InlineData("00000010S", 100_000_000L)]
    public void Every_timeout_unit_parses(string text, long expectedTicks)
    {
        Assert.True(GrpcTimeout.TryParse(text, out var timeout));
        Assert.Equal(expectedTicks, timeout.Ticks);
    }

    [Theory]
    [InlineData(1L, "100n")]
    [InlineData(999_999L, "99999900n")]
    [InlineData(1_000_000L, "100000u")]
    [InlineData(100_000_000L, "10000000u")]
    [InlineData(1_000_000_001L, "100001m")] // rounds up: the server must never give up first
    [InlineData(864_000_000_000_000L, "86400000S")] // 1000 days: 8.64e7 s still fits 8 digits
    public void Timeouts_format_in_the_finest_unit_that_fits(long ticks, string expected)
    {
        var text = GrpcTimeout.Format(TimeSpan.FromTicks(ticks));
        Assert.Equal(expected, text);
        Assert.True(text.Length <= 9);
        Assert.True(GrpcTimeout.TryParse(text, out var back));
        Assert.True(back.Ticks >= ticks);
    }
}
